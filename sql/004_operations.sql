-- Tables the bridge runs on: heartbeats, the command queue, API tokens, the
-- membership cache, the restrictions a bot made, and update dedup.

create table nezuko.bot_status (
    bot_instance_id bigint primary key references nezuko.bot_instances (id) on delete cascade,
    status          text not null check (status in ('starting', 'online', 'degraded', 'offline', 'error')),
    started_at      timestamptz not null default now(),
    last_heartbeat  timestamptz not null default now(),
    uptime_seconds  bigint not null default 0 check (uptime_seconds >= 0),
    version         text,
    instance        text,
    metadata        jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
    updated_at      timestamptz not null default now()
);
comment on table nezuko.bot_status is 'Heartbeat of each running bot, upserted every heartbeat_interval_seconds. Older than two intervals = down.';
comment on column nezuko.bot_status.instance is 'The nezuko process (host:pid) running the bot.';
comment on column nezuko.bot_status.metadata is 'Live counters: updates handled, queue depth, cache hit rate, ...';

create table nezuko.command_types (
    name        text primary key check (name ~ '^[a-z][a-z0-9_]*$'),
    description text not null,
    needs_bot   boolean not null default true
);
comment on table nezuko.command_types is 'Registry of admin command types the worker can execute.';
comment on column nezuko.command_types.needs_bot is 'False for commands done in SQL alone (clear_cache).';

insert into nezuko.command_types (name, description, needs_bot) values
    ('ban_user', 'Ban a user from a group.', true),
    ('unban_user', 'Lift a ban in a group.', true),
    ('mute_user', 'Restrict a user in a group.', true),
    ('unmute_user', 'Re-verify a user and unmute them if subscribed.', true),
    ('send_message', 'Send a message to a group.', true),
    ('sync_group', 'Refresh a group''s title, member count and the bot''s rights there.', true),
    ('sync_channel', 'Refresh a channel''s title, username, invite link and subscriber count.', true),
    ('leave_group', 'Make the bot leave a group.', true),
    ('clear_cache', 'Clear the membership cache for a user, group, channel or all.', false);

create table nezuko.admin_commands (
    id               bigint generated always as identity primary key,
    command_type     text not null references nezuko.command_types (name),
    bot_instance_id  bigint references nezuko.bot_instances (id) on delete set null,
    payload          jsonb not null default '{}' check (jsonb_typeof(payload) = 'object'),
    status           text not null default 'pending'
                     check (status in ('pending', 'running', 'completed', 'failed', 'cancelled')),
    attempts         integer not null default 0 check (attempts >= 0),
    max_attempts     integer not null default 5 check (max_attempts between 1 and 100),
    run_after        timestamptz not null default now(),
    lease_owner      text,
    lease_expires_at timestamptz,
    result           jsonb,
    error            text,
    idempotency_key  text check (length(idempotency_key) between 1 and 200),
    created_by       bigint,
    created_at       timestamptz not null default now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    cancelled_at     timestamptz,
    updated_at       timestamptz not null default now(),
    constraint running_has_lease check (status <> 'running' or (lease_owner is not null and lease_expires_at is not null)),
    constraint finished_has_time check (status not in ('completed', 'failed', 'cancelled') or finished_at is not null)
);
-- The claim query reads only pending rows that are due, oldest first.
create index admin_commands_claim_idx on nezuko.admin_commands (run_after, id) where status = 'pending';
create index admin_commands_lease_idx on nezuko.admin_commands (lease_expires_at) where status = 'running';
create index admin_commands_created_idx on nezuko.admin_commands (created_at);
create unique index admin_commands_idempotency_key on nezuko.admin_commands (idempotency_key)
    where status in ('pending', 'running');
comment on table nezuko.admin_commands is 'Durable dashboard-to-bot command queue. Claimed with FOR UPDATE SKIP LOCKED under a lease; every transition is a SQL function.';
comment on column nezuko.admin_commands.bot_instance_id is 'The bot that must execute it; null for commands that need no bot or may use any.';
comment on column nezuko.admin_commands.run_after is 'Not claimed before this time (retry backoff).';
comment on column nezuko.admin_commands.lease_owner is 'Worker holding the command while running.';
comment on column nezuko.admin_commands.lease_expires_at is 'After this a crashed worker''s command is rescued back to pending.';
comment on column nezuko.admin_commands.idempotency_key is 'Optional; unique among pending and running commands.';
comment on column nezuko.admin_commands.created_by is 'admin_users.id of the requester, when enqueued through the API.';

create table nezuko.api_tokens (
    id            bigint generated always as identity primary key,
    name          text not null check (length(name) between 1 and 100),
    token_sha256  bytea not null unique check (length(token_sha256) = 32),
    token_prefix  text not null,
    role          text not null check (role in ('viewer', 'admin')),
    admin_user_id bigint references nezuko.admin_users (id) on delete cascade,
    created_at    timestamptz not null default now(),
    expires_at    timestamptz,
    revoked_at    timestamptz,
    last_used_at  timestamptz
);
comment on table nezuko.api_tokens is 'Bearer tokens for the REST API. Only a SHA-256 of each token is stored (tokens are 256-bit random, so a fast hash is safe).';
comment on column nezuko.api_tokens.token_prefix is 'First characters of the token, to tell tokens apart in a list.';
comment on column nezuko.api_tokens.admin_user_id is 'The account a login token was issued to; null for tokens made with nezuko token create.';

create table nezuko.membership_cache (
    channel_id bigint not null,
    user_id    bigint not null,
    member_status text not null check (member_status in ('creator', 'administrator', 'member', 'restricted', 'left', 'kicked')),
    is_member  boolean not null,
    checked_at timestamptz not null default now(),
    expires_at timestamptz not null,
    primary key (channel_id, user_id)
);
create index membership_cache_user_idx on nezuko.membership_cache (user_id);
comment on table nezuko.membership_cache is 'Telegram''s answers to getChatMember(channel, user), kept for the positive or negative TTL of admin_config.';
comment on column nezuko.membership_cache.is_member is 'Subscribed: creator, administrator, member, or restricted with is_member.';

create table nezuko.group_restrictions (
    group_id          bigint not null,
    user_id           bigint not null,
    bot_instance_id   bigint references nezuko.bot_instances (id) on delete cascade,
    muted             boolean not null default false,
    muted_until       timestamptz,
    prompt_message_id bigint,
    missing_channels  bigint[] not null default '{}',
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    primary key (group_id, user_id)
);
create index group_restrictions_user_idx on nezuko.group_restrictions (user_id);
comment on table nezuko.group_restrictions is 'Users this bot muted or prompted in a group, so it can unmute them when they join a channel and delete its own prompt. Only users listed here are ever unmuted by the bot.';
comment on column nezuko.group_restrictions.prompt_message_id is 'The bot''s "please subscribe" message in the group, deleted on unmute.';

create table nezuko.processed_updates (
    bot_instance_id bigint not null,
    update_id       bigint not null,
    processed_at    timestamptz not null default now(),
    primary key (bot_instance_id, update_id)
);
comment on table nezuko.processed_updates is 'Telegram updates whose effect is committed, so a redelivered update (same bot, same update_id) has no second effect. Pruned after a day.';
