"""The demo: stand-ins and local services that let the code location run on one machine."""
