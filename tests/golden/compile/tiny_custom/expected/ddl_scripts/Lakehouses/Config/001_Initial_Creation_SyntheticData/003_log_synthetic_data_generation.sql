-- Package table: one row per table generated (rows, seconds, status).
CREATE TABLE IF NOT EXISTS log_synthetic_data_generation (
    log_id STRING NOT NULL,
    job_id STRING,
    dataset_id STRING,
    execution_step STRING,
    table_name STRING,
    generation_date DATE,
    rows_generated BIGINT,
    chunk_number INT,
    execution_time_ms BIGINT,
    memory_usage_mb DECIMAL(10,2),
    status STRING,
    message STRING,
    error_details STRING,
    execution_timestamp TIMESTAMP
)
USING DELTA;
