-- golden_tiny: primary and foreign keys. Fabric Warehouse accepts them only
-- as NONCLUSTERED (primary keys) and NOT ENFORCED, added with ALTER TABLE.
ALTER TABLE [dbo].[status_codes] ADD CONSTRAINT [PK_status_codes] PRIMARY KEY NONCLUSTERED ([code]) NOT ENFORCED;
ALTER TABLE [dbo].[accounts] ADD CONSTRAINT [PK_accounts] PRIMARY KEY NONCLUSTERED ([key]) NOT ENFORCED;
ALTER TABLE [dbo].[events] ADD CONSTRAINT [PK_events] PRIMARY KEY NONCLUSTERED ([event_id]) NOT ENFORCED;
ALTER TABLE [dbo].[event_lines] ADD CONSTRAINT [PK_event_lines] PRIMARY KEY NONCLUSTERED ([line_id]) NOT ENFORCED;
ALTER TABLE [dbo].[events] ADD CONSTRAINT [FK_events_key] FOREIGN KEY ([key]) REFERENCES [dbo].[accounts] ([key]) NOT ENFORCED;
ALTER TABLE [dbo].[event_lines] ADD CONSTRAINT [FK_event_lines_event_id] FOREIGN KEY ([event_id]) REFERENCES [dbo].[events] ([event_id]) NOT ENFORCED;
