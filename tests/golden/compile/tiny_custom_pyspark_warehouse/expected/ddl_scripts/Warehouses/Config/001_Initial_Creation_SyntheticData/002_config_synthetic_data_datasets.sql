-- Package table: the datasets known to the synthetic-data package.
CREATE TABLE [config].[config_synthetic_data_datasets] (
    [dataset_id] VARCHAR(100) NOT NULL,
    [dataset_name] VARCHAR(200) NULL,
    [dataset_type] VARCHAR(50) NULL,
    [schema_pattern] VARCHAR(50) NULL,
    [domain] VARCHAR(100) NULL,
    [max_recommended_rows] BIGINT NULL,
    [description] VARCHAR(4000) NULL,
    [config_json] VARCHAR(MAX) NULL,
    [is_active] BIT NULL,
    [created_date] DATETIME2(6) NULL,
    [modified_date] DATETIME2(6) NULL
);

ALTER TABLE [config].[config_synthetic_data_datasets] ADD CONSTRAINT [PK_config_synthetic_data_datasets] PRIMARY KEY NONCLUSTERED ([dataset_id]) NOT ENFORCED;
