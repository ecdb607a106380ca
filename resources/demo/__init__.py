"""Word pools for the synthetic demo data (see ``storykeeper.core.demo_text``)."""
