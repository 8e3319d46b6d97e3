-- prune_logs also deletes finished admin_commands older than
-- log_retention_days (bot.prune_logs_batch): say so where operators read it.
update nezuko.command_types
set description = 'Delete raw verification_log, api_call_log and admin_logs rows and finished admin_commands older than log_retention_days, in short batches; the analytics rollups keep their aggregates. Runs daily by itself.'
where name = 'prune_logs';

update nezuko.admin_config
set description = 'Days of raw verification_log, api_call_log and admin_logs rows, and of finished admin_commands, kept (prune_logs, daily). The analytics rollups keep the aggregates of older log rows.'
where key = 'log_retention_days';
