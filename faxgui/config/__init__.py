"""Settings: the option registry, the settings file, the keyring and the service endpoints."""
