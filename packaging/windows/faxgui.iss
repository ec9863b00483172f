; faxgui's Windows installer (Inno Setup 6), made from the one-folder bundle.
;
; Build (the release workflow does this after `python packaging\build_bundle.py`):
;   iscc /DAppVersion=0.1.0 packaging\windows\faxgui.iss
; Sign (when a certificate is configured; the workflow passes both):
;   iscc /DSignToolName=faxgui "/Sfaxgui=signtool sign /fd sha256 ... $f" ...
;
; Installs for the current user by default, with no administrator rights
; (%LOCALAPPDATA%\Programs\faxgui); the first page offers "all users" instead
; (Program Files, needs an administrator). Running a newer setup upgrades in place:
; the same AppId finds the old folder, faxgui is closed first if it is open, and the
; old bundle's files are deleted before the new ones are copied, so none is left behind.
; Settings, drafts and the fax history (in %APPDATA% and %LOCALAPPDATA%\faxgui) are
; the user's and stay when faxgui is upgraded or uninstalled.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\faxgui"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#define AppExe "faxgui.exe"

[Setup]
; Never change the AppId: upgrades and the uninstaller find faxgui by it.
AppId={{40536001-6068-47CE-B12C-8A252E73B07C}
AppName=faxgui
AppVersion={#AppVersion}
AppVerName=faxgui {#AppVersion}
AppPublisher=faxgui
AppComments=Compose and send faxes through the Monopond Fax API
VersionInfoVersion={#AppVersion}
VersionInfoProductName=faxgui
VersionInfoProductVersion={#AppVersion}
VersionInfoDescription=faxgui setup
VersionInfoCompany=faxgui
DefaultDirName={autopf}\faxgui
DefaultGroupName=faxgui
DisableProgramGroupPage=yes
DisableDirPage=auto
; Per-user by default; the dialog lets whoever has the rights install for all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
UsePreviousPrivileges=yes
OutputDir={#OutputDir}
OutputBaseFilename=faxgui-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\faxgui.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName=faxgui
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A running faxgui is asked to close (Restart Manager) before its files are replaced.
CloseApplications=yes
RestartApplications=no
; Explorer reads the new right-click entry at once.
ChangesAssociations=yes
#ifdef SignToolName
SignTool={#SignToolName}
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "sendwith"; Description: "Add ""Send with faxgui"" when right-clicking a PDF file"; GroupDescription: "File Explorer:"

[InstallDelete]
; The previous version's bundle: whatever it had that this one does not would linger.
Type: filesandordirs; Name: "{app}\_internal"
Type: files; Name: "{app}\{#AppExe}"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\faxgui"; Filename: "{app}\{#AppExe}"; Comment: "Compose and send faxes"
Name: "{autodesktop}\faxgui"; Filename: "{app}\{#AppExe}"; Comment: "Compose and send faxes"; Tasks: desktopicon

[Registry]
; "Send with faxgui" on PDF files, whichever program opens them: HKA is
; HKCU\Software\Classes for a per-user install and HKLM\Software\Classes for all users.
; A second start hands the file to a faxgui already open, which attaches it.
Root: HKA; Subkey: "Software\Classes\SystemFileAssociations\.pdf\shell\faxgui.send"; ValueType: string; ValueName: ""; ValueData: "Send with faxgui"; Flags: uninsdeletekey; Tasks: sendwith
Root: HKA; Subkey: "Software\Classes\SystemFileAssociations\.pdf\shell\faxgui.send"; ValueType: string; ValueName: "Icon"; ValueData: """{app}\{#AppExe}"",0"; Tasks: sendwith
Root: HKA; Subkey: "Software\Classes\SystemFileAssociations\.pdf\shell\faxgui.send\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""; Tasks: sendwith
; "Open with" lists faxgui for the documents a fax can carry.
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "faxgui"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"",0"
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".pdf"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".tif"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".tiff"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".docx"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".doc"; ValueData: ""

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,faxgui}"; Flags: nowait postinstall skipifsilent
