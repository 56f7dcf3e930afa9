-- Schema config for the synthetic-data package's config and log tables.
CREATE SCHEMA [config];
