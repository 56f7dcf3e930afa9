-- Package table: one row per table generated (rows, seconds, status).
CREATE TABLE [config].[log_synthetic_data_generation] (
    [log_id] VARCHAR(36) NOT NULL,
    [job_id] VARCHAR(100) NULL,
    [dataset_id] VARCHAR(100) NULL,
    [execution_step] VARCHAR(100) NULL,
    [table_name] VARCHAR(200) NULL,
    [generation_date] DATE NULL,
    [rows_generated] BIGINT NULL,
    [chunk_number] INT NULL,
    [execution_time_ms] BIGINT NULL,
    [memory_usage_mb] DECIMAL(10,2) NULL,
    [status] VARCHAR(20) NULL,
    [message] VARCHAR(4000) NULL,
    [error_details] VARCHAR(MAX) NULL,
    [execution_timestamp] DATETIME2(6) NULL
);

ALTER TABLE [config].[log_synthetic_data_generation] ADD CONSTRAINT [PK_log_synthetic_data_generation] PRIMARY KEY NONCLUSTERED ([log_id]) NOT ENFORCED;
