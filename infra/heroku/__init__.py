"""Heroku: the conda-forge webservices app."""
