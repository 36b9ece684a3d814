"""ds-login: temporary AWS role credentials for data teams, kept in the OS keyring."""

__version__ = "0.1.0"
