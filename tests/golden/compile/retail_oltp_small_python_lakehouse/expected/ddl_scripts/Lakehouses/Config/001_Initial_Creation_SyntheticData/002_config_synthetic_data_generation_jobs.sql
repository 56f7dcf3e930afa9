-- Package table: generation jobs (one row per requested run).
CREATE TABLE IF NOT EXISTS config_synthetic_data_generation_jobs (
    job_id STRING NOT NULL,
    dataset_id STRING NOT NULL,
    job_name STRING,
    target_rows BIGINT,
    generation_mode STRING,
    target_environment STRING,
    target_location STRING,
    chunk_size BIGINT,
    parallel_workers INT,
    seed_value BIGINT,
    custom_config_json STRING,
    status STRING,
    created_date TIMESTAMP,
    started_date TIMESTAMP,
    completed_date TIMESTAMP,
    error_message STRING
)
USING DELTA;
