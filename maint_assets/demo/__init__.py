"""What the demo and the tests run against instead of production: a local PostgreSQL cluster,
generated data for each domain, and stand-ins for systems not installed here (Metabase,
VisioNature). Product modules never import this package; the CLI's `demo` and `db` commands do."""
