-- api.admin_log_entry: one application log line of admin_logs.
create type api.admin_log_entry as (
    id bigint,
    level nezuko.log_level,
    logger text,
    message text,
    attributes jsonb,
    bot_instance_id bigint,
    instance text,
    timestamp timestamptz
);
comment on type api.admin_log_entry is 'One application log record of the bridge.
@nullable bot_instance_id, instance';
