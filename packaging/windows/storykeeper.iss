; Inno Setup script for Storykeeper on Windows (Inno Setup 6). NOT RUN in this project's CI:
; see packaging/README.md. Built by packaging/ci/desktop-installers.yml on a hosted Windows
; runner after the PyInstaller build, as:
;   iscc /DAppVersion=0.1.0 packaging\windows\storykeeper.iss
; It installs the one-folder build (build\dist\storykeeper) for the current user by default,
; so an advocate without administrator rights can install it; an administrator can choose all
; users. Stories are never in the program's folder (they are in the user's data folder,
; %LOCALAPPDATA%\Storykeeper), so uninstalling never removes them.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z packaging\windows\storykeeper.iss
#endif

[Setup]
AppId={{6C1F4E1B-3A52-4F4B-9D1E-7B8A2C5D9E10}
AppName=Storykeeper
AppVersion={#AppVersion}
AppVerName=Storykeeper {#AppVersion}
AppPublisher=The Storykeeper team
DefaultDirName={autopf}\Storykeeper
DefaultGroupName=Storykeeper
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\build
OutputBaseFilename=storykeeper-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\build\icons\storykeeper.ico
UninstallDisplayIcon={app}\Storykeeper.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Tell Explorer the file types changed (the bundle type below), so no sign-out is needed.
ChangesAssociations=yes

[Tasks]
Name: "desktopicon"; Description: "Put Storykeeper on the desktop"; GroupDescription: "Shortcuts:"; Flags: unchecked

[Files]
Source: "..\..\build\dist\storykeeper\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Storykeeper"; Filename: "{app}\Storykeeper.exe"; Comment: "Record people's stories with consent, and hand them on safely"
Name: "{autodesktop}\Storykeeper"; Filename: "{app}\Storykeeper.exe"; Tasks: desktopicon

; The bundle file type. Windows matches only the last extension, ".age", which every file the
; age tool encrypts has: Storykeeper is always offered under "Open with", and becomes the
; double-click default only where no other program already is (createvalueifdoesntexist). The
; import says plainly of another program's .age file that it is not a Storykeeper bundle. A
; second window is never opened: the running one takes the file (gui/single_instance.py).
; HKA is the current user's classes for a per-user install, the machine's for all users.
[Registry]
Root: HKA; Subkey: "Software\Classes\.age"; ValueType: string; ValueName: ""; ValueData: "Storykeeper.Bundle"; Flags: createvalueifdoesntexist uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.age\OpenWithProgids"; ValueType: string; ValueName: "Storykeeper.Bundle"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\Storykeeper.Bundle"; ValueType: string; ValueName: ""; ValueData: "Storykeeper bundle"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Storykeeper.Bundle\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\Storykeeper.exe,0"
Root: HKA; Subkey: "Software\Classes\Storykeeper.Bundle\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\Storykeeper.exe"" --open-bundle ""%1"""

[Run]
Filename: "{app}\Storykeeper.exe"; Description: "Open Storykeeper now"; Flags: nowait postinstall skipifsilent
