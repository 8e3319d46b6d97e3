-- api.bot_instance: a registered bot, never with its token.
create type api.bot_instance as (
    id bigint,
    bot_user_id bigint,
    username text,
    first_name text,
    owner_id bigint,
    is_active boolean,
    update_mode nezuko.update_mode,
    status nezuko.bot_state,
    status_reason text,
    last_heartbeat timestamptz,
    group_count bigint,
    created_at timestamptz,
    updated_at timestamptz
);
comment on type api.bot_instance is 'A registered Telegram bot with its last heartbeat. The token is never part of it.
@nullable first_name, owner_id, status, status_reason, last_heartbeat';
comment on column api.bot_instance.status_reason is 'Why the bot is degraded or in error (Telegram refused its token, repeated 429/5xx/timeouts); null when online or offline.';
