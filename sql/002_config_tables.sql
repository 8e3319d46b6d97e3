-- The configuration tables: who owns what, which bots run, which groups are
-- protected by which channels, who may use the dashboard and how the system
-- is tuned. Telegram user and chat ids are bigint throughout.

-- Validates a group's params. It lives here, in a migration-managed schema,
-- and not in the functions package: the package drops and recreates its
-- schemas, which would silently drop a CHECK constraint that calls it.
-- A later migration may replace it (create or replace) to add settings.
create function nezuko.check_group_params(p jsonb) returns boolean
language plpgsql immutable as $$
declare
    k text;
    allowed constant text[] := array['mode', 'mute_duration_seconds', 'verify_on_join',
        'join_request_gating', 'fail_mode', 'prompt_text', 'auto_delete_seconds', 'whitelist'];
begin
    if jsonb_typeof(p) is distinct from 'object' then
        raise exception 'group params must be a JSON object' using errcode = '22023';
    end if;
    for k in select jsonb_object_keys(p) loop
        if not k = any (allowed) then
            raise exception 'unknown group setting "%"', k
                using errcode = '22023', hint = 'allowed settings: ' || array_to_string(allowed, ', ');
        end if;
    end loop;
    if p ? 'mode' and not coalesce(p->>'mode' = any (array['delete', 'mute', 'both']), false) then
        raise exception 'mode must be one of delete, mute, both' using errcode = '22023';
    end if;
    if p ? 'fail_mode' and not coalesce(p->>'fail_mode' = any (array['open', 'closed']), false) then
        raise exception 'fail_mode must be open or closed' using errcode = '22023';
    end if;
    if p ? 'verify_on_join' and jsonb_typeof(p->'verify_on_join') <> 'boolean' then
        raise exception 'verify_on_join must be true or false' using errcode = '22023';
    end if;
    if p ? 'join_request_gating' and jsonb_typeof(p->'join_request_gating') <> 'boolean' then
        raise exception 'join_request_gating must be true or false' using errcode = '22023';
    end if;
    -- Telegram treats a restriction shorter than 30 s or longer than 366 days
    -- as forever; 0 says "until subscribed" explicitly.
    if p ? 'mute_duration_seconds' and (jsonb_typeof(p->'mute_duration_seconds') <> 'number'
            or (p->>'mute_duration_seconds')::numeric <> trunc((p->>'mute_duration_seconds')::numeric)
            or not ((p->>'mute_duration_seconds')::numeric = 0
                    or (p->>'mute_duration_seconds')::numeric between 30 and 31622400)) then
        raise exception 'mute_duration_seconds must be 0 (until subscribed) or a whole number from 30 to 31622400'
            using errcode = '22023';
    end if;
    if p ? 'auto_delete_seconds' and (jsonb_typeof(p->'auto_delete_seconds') <> 'number'
            or (p->>'auto_delete_seconds')::numeric <> trunc((p->>'auto_delete_seconds')::numeric)
            or (p->>'auto_delete_seconds')::numeric not between 0 and 86400) then
        raise exception 'auto_delete_seconds must be a whole number from 0 (never) to 86400' using errcode = '22023';
    end if;
    -- Telegram refuses message texts over 4096 characters; the prompt also
    -- carries the channel list, so its template is kept well under that.
    if p ? 'prompt_text' and (jsonb_typeof(p->'prompt_text') <> 'string'
            or length(p->>'prompt_text') not between 1 and 2048) then
        raise exception 'prompt_text must be a string of 1 to 2048 characters' using errcode = '22023';
    end if;
    if p ? 'whitelist' and (jsonb_typeof(p->'whitelist') <> 'array' or exists (
            select from jsonb_array_elements(p->'whitelist') e
            where jsonb_typeof(e) <> 'number' or e::text !~ '^-?[0-9]{1,19}$')) then
        raise exception 'whitelist must be an array of Telegram user ids' using errcode = '22023';
    end if;
    return true;
end
$$;
comment on function nezuko.check_group_params(jsonb) is
    'Validates protected_groups.params (used by its CHECK constraint); raises 22023 naming the bad setting.';

create table nezuko.owners (
    user_id    bigint primary key,
    username   text,
    first_name text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
comment on table nezuko.owners is 'Telegram users who own bots or protected groups.';
comment on column nezuko.owners.user_id is 'Telegram user id.';

create table nezuko.bot_instances (
    id              bigint generated always as identity primary key,
    owner_id        bigint references nezuko.owners (user_id) on delete set null,
    bot_user_id     bigint not null unique,
    username        text not null,
    first_name      text,
    token_encrypted text not null,
    token_sha256    bytea not null unique check (length(token_sha256) = 32),
    is_active       boolean not null default true,
    update_mode     text not null default 'polling' check (update_mode in ('polling', 'webhook')),
    webhook_secret_sha256 bytea check (length(webhook_secret_sha256) = 32),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint webhook_needs_secret check (update_mode = 'polling' or webhook_secret_sha256 is not null)
);
comment on table nezuko.bot_instances is 'Registered Telegram bots. Several run in one nezuko process. The token is never returned by any API.';
comment on column nezuko.bot_instances.bot_user_id is 'The bot''s own Telegram user id, from getMe.';
comment on column nezuko.bot_instances.token_encrypted is 'Fernet token of the bot token, encrypted with the first key of NEZUKO_FERNET_KEYS; any listed key decrypts (rotation).';
comment on column nezuko.bot_instances.token_sha256 is 'SHA-256 of the bot token, so the same bot cannot be registered twice without decrypting anything.';
comment on column nezuko.bot_instances.is_active is 'Inactive bots are not run; the bridge starts and stops bots as this changes, without a restart.';
comment on column nezuko.bot_instances.update_mode is 'polling (getUpdates, default) or webhook (POST /telegram/{id}/webhook).';
comment on column nezuko.bot_instances.webhook_secret_sha256 is 'SHA-256 of the X-Telegram-Bot-Api-Secret-Token the webhook must carry.';

create table nezuko.protected_groups (
    group_id        bigint primary key,
    bot_instance_id bigint references nezuko.bot_instances (id) on delete set null,
    owner_id        bigint references nezuko.owners (user_id) on delete set null,
    title           text,
    username        text,
    enabled         boolean not null default true,
    params          jsonb not null default '{}' check (nezuko.check_group_params(params)),
    member_count    integer check (member_count >= 0),
    bot_rights      jsonb,
    health          text not null default 'ok' check (health in ('ok', 'warning', 'error')),
    health_reason   text,
    last_synced_at  timestamptz,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint health_reason_when_unhealthy check (health = 'ok' or health_reason is not null)
);
comment on table nezuko.protected_groups is 'Telegram groups whose members must be subscribed to every linked enforced channel before they may speak.';
comment on column nezuko.protected_groups.group_id is 'Telegram chat id (negative for groups, -100... for supergroups).';
comment on column nezuko.protected_groups.bot_instance_id is 'The bot that protects this group.';
comment on column nezuko.protected_groups.enabled is 'A disabled group enforces nothing.';
comment on column nezuko.protected_groups.params is 'Per-group settings over the defaults: mode (delete|mute|both), mute_duration_seconds, verify_on_join, join_request_gating, fail_mode (open|closed), prompt_text, auto_delete_seconds, whitelist. Validated by nezuko.check_group_params.';
comment on column nezuko.protected_groups.bot_rights is 'The bot''s administrator rights in the group as last seen (getChatMember on itself).';
comment on column nezuko.protected_groups.health is 'ok, or warning/error with health_reason, e.g. the bot is not an admin of a linked channel and cannot check it.';

create table nezuko.enforced_channels (
    channel_id       bigint primary key,
    username         text,
    title            text,
    invite_link      text,
    subscriber_count integer check (subscriber_count >= 0),
    bot_is_admin     boolean,
    health           text not null default 'ok' check (health in ('ok', 'warning', 'error')),
    health_reason    text,
    last_synced_at   timestamptz,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    constraint health_reason_when_unhealthy check (health = 'ok' or health_reason is not null)
);
comment on table nezuko.enforced_channels is 'Channels a member must be subscribed to. The bot must be an admin of the channel to see its members.';
comment on column nezuko.enforced_channels.invite_link is 'Link for the join button; the public t.me/username link when the channel has a username.';
comment on column nezuko.enforced_channels.bot_is_admin is 'Whether the bot can check membership here; null until first checked.';

create table nezuko.group_channel_links (
    group_id   bigint not null references nezuko.protected_groups (group_id) on delete cascade on update cascade,
    channel_id bigint not null references nezuko.enforced_channels (channel_id) on delete cascade,
    created_by bigint,
    created_at timestamptz not null default now(),
    primary key (group_id, channel_id)
);
create index group_channel_links_channel_idx on nezuko.group_channel_links (channel_id);
comment on table nezuko.group_channel_links is 'Which channels each protected group enforces (many to many).';
comment on column nezuko.group_channel_links.created_by is 'Telegram user id of the admin who linked it (/protect), or null when linked from the dashboard.';

create table nezuko.admin_users (
    id            bigint generated always as identity primary key,
    email         text not null check (email ~ '^[^@\s]+@[^@\s]+$' and length(email) <= 254),
    password_hash text not null,
    full_name     text,
    role          text not null default 'viewer' check (role in ('viewer', 'admin')),
    telegram_user_id bigint,
    is_active     boolean not null default true,
    last_login_at timestamptz,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);
create unique index admin_users_email_key on nezuko.admin_users (lower(email));
comment on table nezuko.admin_users is 'Dashboard accounts. Login checks the password in SQL with pgcrypto crypt().';
comment on column nezuko.admin_users.password_hash is 'bcrypt hash (pgcrypto crypt(pw, gen_salt(''bf''))). Never returned by any API.';
comment on column nezuko.admin_users.role is 'viewer (read-only API) or admin (may call mutations); maps to PostgreSQL roles nezuko_viewer / nezuko_admin.';

create table nezuko.admin_config (
    key         text primary key check (key ~ '^[a-z][a-z0-9_]*$'),
    value       jsonb not null,
    value_type  text not null check (value_type in ('integer', 'number', 'boolean', 'string')),
    min_value   numeric,
    max_value   numeric,
    description text not null,
    updated_by  bigint,
    updated_at  timestamptz not null default now(),
    constraint value_matches_type check (case value_type
        when 'integer' then jsonb_typeof(value) = 'number' and value::text::numeric = trunc(value::text::numeric)
        when 'number'  then jsonb_typeof(value) = 'number'
        when 'boolean' then jsonb_typeof(value) = 'boolean'
        when 'string'  then jsonb_typeof(value) = 'string'
    end),
    constraint value_in_range check (
        jsonb_typeof(value) <> 'number'
        or ((min_value is null or value::text::numeric >= min_value)
            and (max_value is null or value::text::numeric <= max_value)))
);
comment on table nezuko.admin_config is 'Typed system settings (cache TTLs, heartbeat interval, rate limits, ...). The type and range of each value are enforced here.';
comment on column nezuko.admin_config.updated_by is 'admin_users.id of the last API change; null for changes made in SQL.';

insert into nezuko.admin_config (key, value, value_type, min_value, max_value, description) values
    ('membership_cache_ttl_positive_seconds', '600', 'integer', 0, 86400, 'How long a "subscribed" answer from Telegram is trusted.'),
    ('membership_cache_ttl_negative_seconds', '60', 'integer', 0, 86400, 'How long a "not subscribed" answer is trusted. Short, so a user who just joined is not held back.'),
    ('heartbeat_interval_seconds', '30', 'integer', 1, 3600, 'How often each running bot writes bot_status. A heartbeat older than two intervals means the bot is down.'),
    ('command_max_attempts', '5', 'integer', 1, 100, 'Default attempts for a queued admin command before it is failed.'),
    ('command_lease_seconds', '60', 'integer', 5, 3600, 'How long a worker holds a claimed command before another may rescue it.'),
    ('rate_limit_global_per_second', '30', 'integer', 1, 1000, 'Bot API calls per second per bot (Telegram: about 30).'),
    ('rate_limit_per_chat_per_minute', '20', 'integer', 1, 600, 'Bot API calls per minute into one group (Telegram: about 20).'),
    ('log_retention_days', '90', 'integer', 1, 3650, 'Days of verification_log, api_call_log and admin_logs kept.'),
    ('api_statement_timeout_ms', '5000', 'integer', 100, 600000, 'statement_timeout for each REST API request.'),
    ('login_token_ttl_hours', '24', 'integer', 1, 8760, 'Lifetime of a bearer token issued by POST /v1/auth/login.');
