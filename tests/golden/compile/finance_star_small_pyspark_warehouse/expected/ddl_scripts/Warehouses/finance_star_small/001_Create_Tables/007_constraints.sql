-- finance_star_small: primary and foreign keys. Fabric Warehouse accepts them only
-- as NONCLUSTERED (primary keys) and NOT ENFORCED, added with ALTER TABLE.
ALTER TABLE [dbo].[dim_customer] ADD CONSTRAINT [PK_dim_customer] PRIMARY KEY NONCLUSTERED ([customer_key]) NOT ENFORCED;
ALTER TABLE [dbo].[dim_account] ADD CONSTRAINT [PK_dim_account] PRIMARY KEY NONCLUSTERED ([account_key]) NOT ENFORCED;
ALTER TABLE [dbo].[dim_merchant] ADD CONSTRAINT [PK_dim_merchant] PRIMARY KEY NONCLUSTERED ([merchant_key]) NOT ENFORCED;
ALTER TABLE [dbo].[dim_transaction_type] ADD CONSTRAINT [PK_dim_transaction_type] PRIMARY KEY NONCLUSTERED ([transaction_type_key]) NOT ENFORCED;
ALTER TABLE [dbo].[dim_date] ADD CONSTRAINT [PK_dim_date] PRIMARY KEY NONCLUSTERED ([date_key]) NOT ENFORCED;
ALTER TABLE [dbo].[fact_transactions] ADD CONSTRAINT [PK_fact_transactions] PRIMARY KEY NONCLUSTERED ([transaction_key]) NOT ENFORCED;
ALTER TABLE [dbo].[dim_account] ADD CONSTRAINT [FK_dim_account_customer_key] FOREIGN KEY ([customer_key]) REFERENCES [dbo].[dim_customer] ([customer_key]) NOT ENFORCED;
ALTER TABLE [dbo].[fact_transactions] ADD CONSTRAINT [FK_fact_transactions_date_key] FOREIGN KEY ([date_key]) REFERENCES [dbo].[dim_date] ([date_key]) NOT ENFORCED;
ALTER TABLE [dbo].[fact_transactions] ADD CONSTRAINT [FK_fact_transactions_account_key] FOREIGN KEY ([account_key]) REFERENCES [dbo].[dim_account] ([account_key]) NOT ENFORCED;
ALTER TABLE [dbo].[fact_transactions] ADD CONSTRAINT [FK_fact_transactions_customer_key] FOREIGN KEY ([customer_key]) REFERENCES [dbo].[dim_customer] ([customer_key]) NOT ENFORCED;
ALTER TABLE [dbo].[fact_transactions] ADD CONSTRAINT [FK_fact_transactions_merchant_key] FOREIGN KEY ([merchant_key]) REFERENCES [dbo].[dim_merchant] ([merchant_key]) NOT ENFORCED;
ALTER TABLE [dbo].[fact_transactions] ADD CONSTRAINT [FK_fact_transactions_transaction_type_key] FOREIGN KEY ([transaction_type_key]) REFERENCES [dbo].[dim_transaction_type] ([transaction_type_key]) NOT ENFORCED;
