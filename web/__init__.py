"""The latent explorer page as package data, for `edgevae serve` (see runtime/server/app.py)."""
