"""What the demo and the tests run against instead of production: a local PostgreSQL cluster,
generated data for each domain, stand-ins for systems not installed here (Metabase,
VisioNature), and the demo's local services (mail sink, Pushgateway, Dagster). Product modules
never import this package; the CLI's `demo` and `db` commands do."""
