"""Generated documentation: JSON Schemas of the configuration, references and the inventory."""
