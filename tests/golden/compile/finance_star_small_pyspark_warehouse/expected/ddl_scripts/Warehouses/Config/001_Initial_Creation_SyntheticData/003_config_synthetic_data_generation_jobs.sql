-- Package table: generation jobs (one row per requested run).
CREATE TABLE [config].[config_synthetic_data_generation_jobs] (
    [job_id] VARCHAR(100) NOT NULL,
    [dataset_id] VARCHAR(100) NOT NULL,
    [job_name] VARCHAR(200) NULL,
    [target_rows] BIGINT NULL,
    [generation_mode] VARCHAR(20) NULL,
    [target_environment] VARCHAR(20) NULL,
    [target_location] VARCHAR(1000) NULL,
    [chunk_size] BIGINT NULL,
    [parallel_workers] INT NULL,
    [seed_value] BIGINT NULL,
    [custom_config_json] VARCHAR(MAX) NULL,
    [status] VARCHAR(20) NULL,
    [created_date] DATETIME2(6) NULL,
    [started_date] DATETIME2(6) NULL,
    [completed_date] DATETIME2(6) NULL,
    [error_message] VARCHAR(4000) NULL
);

ALTER TABLE [config].[config_synthetic_data_generation_jobs] ADD CONSTRAINT [PK_config_synthetic_data_generation_jobs] PRIMARY KEY NONCLUSTERED ([job_id]) NOT ENFORCED;
ALTER TABLE [config].[config_synthetic_data_generation_jobs] ADD CONSTRAINT [FK_generation_jobs_dataset_id] FOREIGN KEY ([dataset_id]) REFERENCES [config].[config_synthetic_data_datasets] ([dataset_id]) NOT ENFORCED;
