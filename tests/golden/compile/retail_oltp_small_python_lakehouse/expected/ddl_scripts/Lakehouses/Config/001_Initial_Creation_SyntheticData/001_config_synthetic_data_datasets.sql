-- Package table: the datasets known to the synthetic-data package.
CREATE TABLE IF NOT EXISTS config_synthetic_data_datasets (
    dataset_id STRING NOT NULL,
    dataset_name STRING,
    dataset_type STRING,
    schema_pattern STRING,
    domain STRING,
    max_recommended_rows BIGINT,
    description STRING,
    config_json STRING,
    is_active BOOLEAN,
    created_date TIMESTAMP,
    modified_date TIMESTAMP
)
USING DELTA;
