-- Log retention: the built-in prune_logs command.
--
-- verification_log, api_call_log and admin_logs grow by every update and
-- every Bot API call. prune_logs deletes their rows older than
-- log_retention_days, log_prune_batch_rows rows per table per transaction
-- (bot.prune_logs_batch, called in a loop by the worker of nezuko serve), so
-- no transaction holds many row locks or holds back the realtime relay's
-- snapshot horizon for long. The analytics rollups keep the aggregates of
-- pruned rows: the rollup triggers skip a DELETE made with the transaction
-- setting nezuko.retention = on (triggers/analytics), so 90-day analytics
-- stay whole when raw rows are kept 30 days.
--
-- It schedules itself: each run, and each start of nezuko serve
-- (bot.schedule_prune_logs), makes sure one prune_logs command is pending
-- for the next log_prune_hour_utc. Anyone may also enqueue one by hand
-- (api.enqueue_command('prune_logs', '{}')).

-- Repeatable (016): deleting rows past retention twice deletes nothing more.
insert into nezuko.command_types (name, description, needs_bot, payload_fields, repeatable) values
    ('prune_logs', 'Delete raw verification_log, api_call_log and admin_logs rows older than log_retention_days, in short batches; the analytics rollups keep their aggregates. Runs daily by itself.', false, '{}', true);

insert into nezuko.admin_config (key, value, value_type, min_value, max_value, description) values
    ('log_prune_batch_rows', '5000', 'integer', 100, 100000,
     'Rows of each log table prune_logs deletes per transaction (each batch is a short transaction of its own).'),
    ('log_prune_hour_utc', '3', 'integer', 0, 23,
     'UTC hour of the day at which the scheduled prune_logs command runs.');

update nezuko.admin_config
set description = 'Days of raw verification_log, api_call_log and admin_logs rows kept (prune_logs, daily). The analytics rollups keep the aggregates of older rows.'
where key = 'log_retention_days';
