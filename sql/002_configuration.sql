-- Baseline 2 of 6, configuration: who owns what, which bots run, which groups are
-- protected by which channels, who may use the dashboard and how the system
-- is tuned. Telegram user and chat ids are bigint throughout.
--
-- Functions here, and only these, live in a migration (every other
-- function is in functions/): a table's CHECK or a domain's CHECK calls
-- them, and the code packages' `drop schema ... cascade` would silently
-- drop such a constraint (shared/PITFALLS.md), so they stay in schema
-- nezuko, managed by migrations:
-- - nezuko.check_choice, nezuko.check_range: the CHECKs of the value domains;
-- - nezuko.check_group_params: the CHECK of protected_groups.params, with
--   what it calls: nezuko.group_setting_problem (one setting against the
--   registry) and nezuko.text_languages (the languages a group may choose).

-- Value domains: the values the API exposes with a fixed set of choices or
-- bounds. The REST API's catalog reader turns them into JSON Schema: a
-- domain whose CHECK holds one ARRAY['a', 'b', ...] list becomes a named
-- string enum (components/schemas/<PascalName>); nezuko.check_range(VALUE,
-- lo, hi, ...) or `VALUE >= n` / `VALUE <= n` become minimum/maximum. api functions use them for arguments
-- (p_period nezuko.period) and for result fields (attributes of api.* types,
-- OUT parameters).
--
-- Why here and not in the functions code package: a domain used by a table
-- column, or by an api type that is recreated on every install, must outlive
-- `drop schema api cascade` (see README "SQL conventions").
--
-- Choices an api argument takes are checked by nezuko.check_choice, which
-- raises 22023 (HTTP 400) naming the argument and the allowed values, the
-- same error the functions raised before they had domains. A null passes
-- the domain: whether null is allowed is the function's business.

create function nezuko.check_choice(p_value text, p_allowed text[], p_what text) returns boolean
language plpgsql immutable parallel safe as $$
begin
    if p_value is null or p_value = any (p_allowed) then
        return true;
    end if;
    raise exception '% must be one of % (got %)', p_what, array_to_string(p_allowed, ', '), quote_literal(p_value)
        using errcode = '22023';
end
$$;
comment on function nezuko.check_choice(text, text[], text) is
    'CHECK of the choice domains: true when p_value is null or one of p_allowed, else raises 22023 naming p_what and the allowed values.';

create function nezuko.check_range(p_value bigint, p_min bigint, p_max bigint, p_what text) returns boolean
language plpgsql immutable parallel safe as $$
begin
    if p_value is null or p_value between p_min and p_max then
        return true;
    end if;
    raise exception '% must be between % and % (got %)', p_what, p_min, p_max, p_value using errcode = '22023';
end
$$;
comment on function nezuko.check_range(bigint, bigint, bigint, text) is
    'CHECK of the bounded integer domains: true when p_value is null or within [p_min, p_max], else raises 22023 naming p_what and the bounds.';

create domain nezuko.top_limit as integer
    check (nezuko.check_range(value, 1, 100, 'p_limit'));
comment on domain nezuko.top_limit is 'How many entries of a top-N list: 1 to 100.';

create domain nezuko.period as text
    check (nezuko.check_choice(value, array['24h', '7d', '30d', '90d'], 'p_period'));
comment on domain nezuko.period is 'An analytics window ending now: 24h, 7d, 30d or 90d.';

create domain nezuko.granularity as text
    check (nezuko.check_choice(value, array['hour', 'day', 'week'], 'p_granularity'));
comment on domain nezuko.granularity is 'A bucket size of a time series: hour, day or week (weeks start on Monday).';

create domain nezuko.day_or_week as text
    check (nezuko.check_choice(value, array['day', 'week'], 'p_granularity'));
comment on domain nezuko.day_or_week is 'A bucket size of a daily or weekly series: day or week (weeks start on Monday).';

create domain nezuko.role as text
    check (nezuko.check_choice(value, array['viewer', 'admin'], 'role'));
comment on domain nezuko.role is 'An API role: viewer (reads) or admin (reads and changes).';

create domain nezuko.log_level as text
    check (nezuko.check_choice(value, array['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'], 'level'));
comment on domain nezuko.log_level is 'Severity of an application log record, lowest first.';

create domain nezuko.bot_state as text
    check (nezuko.check_choice(value, array['starting', 'online', 'degraded', 'offline', 'error'], 'status'));
comment on domain nezuko.bot_state is 'A bot''s live status (offline when its heartbeat is older than two intervals).';

create domain nezuko.health as text
    check (nezuko.check_choice(value, array['ok', 'warning', 'error'], 'health'));
comment on domain nezuko.health is 'ok, or warning/error with a health_reason.';

create domain nezuko.command_status as text
    check (nezuko.check_choice(value, array['pending', 'running', 'completed', 'failed', 'cancelled', 'unknown'], 'status'));
comment on domain nezuko.command_status is 'State of an admin command in the queue (unknown: a command that may not repeat was interrupted after it reached Telegram).';

create domain nezuko.update_mode as text
    check (nezuko.check_choice(value, array['polling', 'webhook'], 'update_mode'));
comment on domain nezuko.update_mode is 'How a bot receives updates: long polling or webhook.';

create domain nezuko.value_type as text
    check (nezuko.check_choice(value, array['integer', 'number', 'boolean', 'string'], 'value_type'));
comment on domain nezuko.value_type is 'Type of a setting''s JSON value.';

create domain nezuko.percent as numeric
    check (value >= 0 and value <= 100);
comment on domain nezuko.percent is 'A percentage, 0-100.';

-- Page arguments of the api.list_* functions (analytics.check_page checks
-- them again in each function, with its own limit).
create domain nezuko.page_limit as integer
    check (nezuko.check_range(value, 1, 500, 'p_limit'));
comment on domain nezuko.page_limit is 'How many items a page of a list holds: 1 to 500.';

create domain nezuko.command_page_limit as integer
    check (nezuko.check_range(value, 1, 1000, 'p_limit'));
comment on domain nezuko.command_page_limit is 'How many commands a page of api.list_commands holds: 1 to 1000.';

create domain nezuko.page_offset as integer
    check (nezuko.check_range(value, 0, 2147483647, 'p_offset'));
comment on domain nezuko.page_offset is 'How many items of a list to skip: 0 or more.';


-- The CHECK of protected_groups.params, read from the registry. Errors are
-- English (bot_texts, language en), SQLSTATE 22023, naming the setting.
create function nezuko.check_group_params(p jsonb) returns boolean
language plpgsql stable as $$
declare
    k text;
    v jsonb;
    v_problem jsonb;
    v_msg text;
    a record;
begin
    if jsonb_typeof(p) is distinct from 'object' then
        raise exception 'group params must be a JSON object' using errcode = '22023';
    end if;
    for k, v in select * from jsonb_each(p) loop
        v_problem := nezuko.group_setting_problem(k, v);
        continue when v_problem is null;
        if v_problem->>'key' = 'settings.unknown' then
            raise exception 'unknown group setting "%"', k
                using errcode = '22023', hint = 'allowed settings: ' || (v_problem->'args'->>'names');
        end if;
        select body into v_msg from nezuko.bot_texts where key = v_problem->>'key' and language = 'en';
        for a in select * from jsonb_each_text(v_problem->'args') loop
            v_msg := replace(v_msg, '{' || a.key || '}', coalesce(a.value, ''));
        end loop;
        raise exception '%', replace(replace(v_msg, '&lt;', '<'), '&gt;', '>') using errcode = '22023';
    end loop;
    return true;
end
$$;
comment on function nezuko.check_group_params(jsonb) is
    'Validates protected_groups.params against the registry nezuko.group_settings (used by its CHECK constraint); raises 22023 naming the bad setting.';

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
    default_permissions    jsonb,
    default_permissions_at timestamptz,
    linked_chat_id         bigint,
    linked_chat_checked_at timestamptz,
    constraint health_reason_when_unhealthy check (health = 'ok' or health_reason is not null)
);
comment on table nezuko.protected_groups is 'Telegram groups whose members must be subscribed to every linked enforced channel before they may speak.';
comment on column nezuko.protected_groups.group_id is 'Telegram chat id (negative for groups, -100... for supergroups).';
comment on column nezuko.protected_groups.bot_instance_id is 'The bot that protects this group.';
comment on column nezuko.protected_groups.enabled is 'A disabled group enforces nothing.';
comment on column nezuko.protected_groups.params is
    'Per-group settings over the defaults of nezuko.group_settings (mode, language, mute_duration_seconds, verify_on_join, join_request_gating, fail_mode, sender_chat_action, prompt_text, auto_delete_seconds, whitelist). Validated by nezuko.check_group_params.';
comment on column nezuko.protected_groups.bot_rights is 'The bot''s administrator rights in the group as last seen (getChatMember on itself).';
comment on column nezuko.protected_groups.default_permissions is
    'The group''s default member permissions (getChat .permissions) as last fetched; an unmute restores exactly these, never "everything allowed".';
comment on column nezuko.protected_groups.default_permissions_at is
    'When default_permissions was fetched; older than group_permissions_ttl_seconds means fetch again before an unmute.';
comment on column nezuko.protected_groups.linked_chat_id is
    'The channel linked to this group for discussion (getChat .linked_chat_id), whose posts appear here and are never gated; null: none.';
comment on column nezuko.protected_groups.linked_chat_checked_at is
    'When linked_chat_id was read from getChat; null or older than a day: read again before gating a message sent as a chat.';
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

-- Every system setting, with its type, range and meaning.
insert into nezuko.admin_config (key, value, value_type, min_value, max_value, description) values
    ('membership_cache_ttl_positive_seconds', '600', 'integer', 0, 86400, 'How long a "subscribed" answer from Telegram is trusted.'),
    ('membership_cache_ttl_negative_seconds', '60', 'integer', 0, 86400, 'How long a "not subscribed" answer is trusted. Short, so a user who just joined is not held back.'),
    ('heartbeat_interval_seconds', '30', 'integer', 1, 3600, 'How often each running bot writes bot_status. A heartbeat older than two intervals means the bot is down.'),
    ('command_max_attempts', '5', 'integer', 1, 100, 'Default attempts for a queued admin command before it is failed.'),
    ('command_lease_seconds', '60', 'integer', 5, 3600, 'How long a worker holds a claimed command before another may rescue it.'),
    ('rate_limit_global_per_second', '30', 'integer', 1, 1000, 'Bot API calls per second per bot (Telegram: about 30).'),
    ('rate_limit_per_chat_per_minute', '20', 'integer', 1, 600, 'Bot API calls per minute into one group (Telegram: about 20).'),
    ('log_retention_days', '90', 'integer', 1, 3650, 'Days of raw verification_log, api_call_log and admin_logs rows kept (prune_logs, daily). The analytics rollups keep the aggregates of older rows.'),
    ('api_statement_timeout_ms', '5000', 'integer', 100, 600000, 'statement_timeout for each REST API request.'),
    ('login_token_ttl_hours', '24', 'integer', 1, 8760, 'Lifetime of a bearer token issued by POST /v1/auth/login.'),
    ('group_permissions_ttl_seconds', '600', 'integer', 0, 86400,
     'How long a group''s default permissions (getChat) are trusted before an unmute fetches them again.'),
    ('prompt_repeat_seconds', '300', 'integer', 0, 86400,
     'A user already prompted in a group is not prompted again for this long (one prompt, not one per message).'),
    ('command_retry_backoff_seconds', '5', 'integer', 0, 3600,
     'Delay before the first retry of a failed command; doubles with each attempt (5 s, 10 s, 20 s, ...).'),
    ('command_retry_backoff_max_seconds', '600', 'integer', 0, 86400,
     'Upper bound of the retry delay of a failed command.'),
    ('membership_cache_ttl_error_seconds', '30', 'integer', 0, 3600,
     'How long a failed membership check (the bot cannot see a channel''s members) is remembered: one getChatMember per channel and user per this many seconds, not one per message. fail_mode decides meanwhile.'),
    ('effect_lease_seconds', '30', 'integer', 5, 3600,
     'How long an executor holds a claimed Bot API effect before another may take it over (renewed while it waits for the chat''s rate limit).'),
    ('effect_max_attempts', '6', 'integer', 1, 100,
     'Attempts of an effect that meets 5xx or timeouts (with backoff and jitter) before it fails visibly. 429 answers wait their retry_after and never count.'),
    ('bot_degraded_errors', '3', 'integer', 1, 10000,
     'Transient Telegram errors (429, 5xx, timeouts) within a minute that turn a bot''s status to degraded.'),
    ('login_failure_window_seconds', '900', 'integer', 10, 86400, 'Window over which failed logins are counted for throttling.'),
    ('login_max_failures_per_account', '5', 'integer', 1, 1000, 'Failed logins for one email within the window before further attempts get 429.'),
    ('login_max_failures_per_address', '20', 'integer', 1, 100000, 'Failed logins from one client address within the window before further attempts get 429.'),
    ('log_prune_batch_rows', '5000', 'integer', 100, 100000,
     'Rows of each log table prune_logs deletes per transaction (each batch is a short transaction of its own).'),
    ('log_prune_hour_utc', '3', 'integer', 0, 23,
     'UTC hour of the day at which the scheduled prune_logs command runs.');

-- Every text the bot writes into Telegram, keyed by (key, language), so a
-- DBA finds and changes a wording with an UPDATE, and a group reads the bot
-- in its own language (group setting `language`). Placeholders are named,
-- {like_this}; bot.text fills them. A text sent as a message is Telegram
-- HTML (the values put into it are escaped by the caller); a callback answer
-- (callback.*) is plain text. Every shipped language has every key, with
-- the same placeholders: tests/sql/bot_texts.sql proves it.

create table nezuko.bot_texts (
    key      text not null check (key ~ '^[a-z_]+\.[a-z_]+$'),
    language text not null check (language ~ '^[a-z]{2,3}$'),
    body     text not null check (body <> ''),
    primary key (key, language)
);
comment on table nezuko.bot_texts is
    'Every text the bot writes (prompts, buttons, command replies, /help, /status, /settings, callback answers), by key and language (ISO 639-1). Named placeholders {like_this} are filled by bot.text. A language is offered only when it has every key.';
comment on column nezuko.bot_texts.key is 'area.name, e.g. prompt.text; the English row says what the text is for.';
comment on column nezuko.bot_texts.language is 'ISO 639-1 code, as Telegram''s language_code before any region (pt-br → pt).';
comment on column nezuko.bot_texts.body is 'The text. Messages are Telegram HTML; callback.* answers are plain text (at most 200 characters once filled).';

insert into nezuko.bot_texts (key, language, body) values
-- English (the fallback for any language without a text set)
('prompt.text', 'en', '{mention}, to write in {group} please join {channels} first, then press "I have joined".'),
('prompt.join_button', 'en', 'Join {channel}'),
('prompt.joined_button', 'en', '✅ I have joined'),
('prompt.this_group', 'en', 'this group'),
('prompt.member', 'en', 'member'),
('callback.not_for_you', 'en', 'This button is for someone else.'),
('callback.not_protected', 'en', 'This group is not protected: nothing to check.'),
('callback.verified', 'en', 'Thank you! You can write in the group now.'),
('callback.still_missing', 'en', 'You have not joined yet: {channels}. Join, then press the button again.'),
('callback.released', 'en', 'Protection is off in this group: you can write again.'),
('help.text', 'en', E'<b>Nezuko</b> keeps a group for subscribers: a member must join the group''s channels before writing.\n\n<b>Set up</b>\n1. Add @{bot} to your group as an admin with "Delete messages" and "Ban users".\n2. Add it to each channel as an admin (no rights needed: it only checks members).\n3. In the group: <code>/protect @yourchannel</code> (several channels: <code>/protect @a @b</code>).\n\n<b>Commands</b> (group admins)\n/protect @channel… link channels\n/unprotect stop protecting, unmute everyone the bot muted\n/status protection, channels and health\n/settings view; <code>/settings name value</code> change (<code>/settings language es</code>, <code>/settings mode delete</code>…)\n/help this text'),
('private.use_in_group', 'en', 'Commands work in a group where I am an admin. Send /help to see how to set me up.'),
('protect.usage', 'en', 'Usage: <code>/protect @channel</code> (several: <code>/protect @a @b</code>).'),
('protect.not_admin', 'en', 'I am not an admin in this group: promote me with the rights "Delete messages" and "Ban users".'),
('protect.no_ban_right', 'en', 'I am an admin here but lack the right "Ban users" (needed to mute).'),
('protect.no_delete_right', 'en', 'I am an admin here but lack the right "Delete messages".'),
('protect.basic_group', 'en', 'This is a basic group: Telegram lets bots mute members only in supergroups (make the group public once, or enable the history for new members, to upgrade it).'),
('protect.channel_not_found', 'en', '{channel}: channel not found (check the username, and that I am a member of it).'),
('protect.not_a_channel', 'en', '{channel} is not a channel.'),
('protect.not_admin_in_channel', 'en', 'I am not an admin in {channel}: add me as an admin there (no rights needed) so I can see who is subscribed.'),
('protect.cannot_yet', 'en', E'Cannot protect this group yet:\n{problems}'),
('protect.done', 'en', E'🛡 This group is protected. Members must join: {channels}.\nSee /settings to change how.'),
('group.not_protected', 'en', 'This group is not protected. Use <code>/protect @channel</code> first.'),
('unprotect.done', 'en', 'Protection removed. {count} member(s) the bot had restricted are free again.'),
('status.text', 'en', E'<b>Protection</b>: {protection}\n<b>Health</b>: {health}\n{channels}\n<b>Mode</b>: {mode}, fail_mode {fail_mode}\n<b>Restricted now</b>: {restricted}\n<b>Checks in 24 h</b>: {verified} verified, {failed} restricted, {errors} errors'),
('status.on', 'en', 'on'),
('status.off', 'en', 'off (disabled)'),
('status.ok', 'en', 'ok'),
('settings.list', 'en', E'<b>Settings</b>\n{settings}\nChange: <code>/settings name value</code>'),
('settings.set', 'en', 'Set <code>{name}</code> = {value}'),
('settings.not_changed', 'en', 'Not changed: {reason}'),
('settings.unknown', 'en', 'unknown setting "{name}" (settings: {names})'),
('settings.one_of', 'en', '{name} must be one of {values}'),
('settings.on_off', 'en', '{name} must be on or off'),
('settings.number', 'en', '{name} must be a whole number from {min} to {max}'),
('settings.number_or', 'en', '{name} must be {values} or a whole number from {min} to {max}'),
('settings.text_length', 'en', '{name} must be a text of {min} to {max} characters'),
('settings.whitelist_usage', 'en', 'whitelist: use add &lt;id&gt;, remove &lt;id&gt; or clear'),
('join_request.declined', 'en', 'To join {group}, first join: {channels}. Then send your request again.'),

-- Spanish
('prompt.text', 'es', '{mention}, para escribir en {group} únete primero a {channels} y después pulsa «Ya me uní».'),
('prompt.join_button', 'es', 'Unirse a {channel}'),
('prompt.joined_button', 'es', '✅ Ya me uní'),
('prompt.this_group', 'es', 'este grupo'),
('prompt.member', 'es', 'miembro'),
('callback.not_for_you', 'es', 'Este botón es para otra persona.'),
('callback.not_protected', 'es', 'Este grupo no está protegido: no hay nada que comprobar.'),
('callback.verified', 'es', '¡Gracias! Ya puedes escribir en el grupo.'),
('callback.still_missing', 'es', 'Todavía no te has unido a: {channels}. Únete y vuelve a pulsar el botón.'),
('callback.released', 'es', 'La protección está desactivada en este grupo: ya puedes escribir.'),
('help.text', 'es', E'<b>Nezuko</b> reserva un grupo a los suscriptores: para escribir, un miembro debe unirse antes a los canales del grupo.\n\n<b>Configuración</b>\n1. Añade a @{bot} a tu grupo como administrador con los permisos «Eliminar mensajes» y «Bloquear usuarios».\n2. Añádelo a cada canal como administrador (sin permisos: solo comprueba los miembros).\n3. En el grupo: <code>/protect @tucanal</code> (varios canales: <code>/protect @a @b</code>).\n\n<b>Comandos</b> (administradores del grupo)\n/protect @canal… vincula canales\n/unprotect deja de proteger y libera a todos los que el bot silenció\n/status protección, canales y estado\n/settings ver; <code>/settings nombre valor</code> cambiar (<code>/settings language es</code>, <code>/settings mode delete</code>…)\n/help este texto'),
('private.use_in_group', 'es', 'Los comandos funcionan en un grupo donde soy administrador. Envía /help para ver cómo configurarme.'),
('protect.usage', 'es', 'Uso: <code>/protect @canal</code> (varios: <code>/protect @a @b</code>).'),
('protect.not_admin', 'es', 'No soy administrador de este grupo: hazme administrador con los permisos «Eliminar mensajes» y «Bloquear usuarios».'),
('protect.no_ban_right', 'es', 'Soy administrador aquí, pero me falta el permiso «Bloquear usuarios» (necesario para silenciar).'),
('protect.no_delete_right', 'es', 'Soy administrador aquí, pero me falta el permiso «Eliminar mensajes».'),
('protect.basic_group', 'es', 'Este es un grupo básico: Telegram solo deja a los bots silenciar miembros en supergrupos (haz el grupo público una vez, o activa el historial para nuevos miembros, para convertirlo).'),
('protect.channel_not_found', 'es', '{channel}: canal no encontrado (revisa el nombre de usuario y que yo sea miembro).'),
('protect.not_a_channel', 'es', '{channel} no es un canal.'),
('protect.not_admin_in_channel', 'es', 'No soy administrador en {channel}: añádeme allí como administrador (sin permisos) para que pueda ver quién está suscrito.'),
('protect.cannot_yet', 'es', E'Todavía no puedo proteger este grupo:\n{problems}'),
('protect.done', 'es', E'🛡 Este grupo está protegido. Los miembros deben unirse a: {channels}.\nUsa /settings para ajustar cómo.'),
('group.not_protected', 'es', 'Este grupo no está protegido. Usa primero <code>/protect @canal</code>.'),
('unprotect.done', 'es', 'Protección desactivada. {count} miembro(s) que el bot había restringido vuelven a estar libres.'),
('status.text', 'es', E'<b>Protección</b>: {protection}\n<b>Estado</b>: {health}\n{channels}\n<b>Modo</b>: {mode}, fail_mode {fail_mode}\n<b>Restringidos ahora</b>: {restricted}\n<b>Comprobaciones en 24 h</b>: {verified} verificadas, {failed} restringidas, {errors} errores'),
('status.on', 'es', 'activada'),
('status.off', 'es', 'desactivada'),
('status.ok', 'es', 'correcto'),
('settings.list', 'es', E'<b>Ajustes</b>\n{settings}\nCambiar: <code>/settings nombre valor</code>'),
('settings.set', 'es', '<code>{name}</code> = {value} guardado'),
('settings.not_changed', 'es', 'Sin cambios: {reason}'),
('settings.unknown', 'es', 'ajuste desconocido «{name}» (ajustes: {names})'),
('settings.one_of', 'es', '{name} debe ser uno de {values}'),
('settings.on_off', 'es', '{name} debe ser on u off'),
('settings.number', 'es', '{name} debe ser un número entero de {min} a {max}'),
('settings.number_or', 'es', '{name} debe ser {values} o un número entero de {min} a {max}'),
('settings.text_length', 'es', '{name} debe ser un texto de {min} a {max} caracteres'),
('settings.whitelist_usage', 'es', 'whitelist: usa add &lt;id&gt;, remove &lt;id&gt; o clear'),
('join_request.declined', 'es', 'Para entrar en {group}, únete primero a: {channels}. Después envía de nuevo tu solicitud.'),

-- Russian
('prompt.text', 'ru', '{mention}, чтобы писать в {group}, сначала подпишитесь на {channels}, затем нажмите «Я подписался».'),
('prompt.join_button', 'ru', 'Подписаться: {channel}'),
('prompt.joined_button', 'ru', '✅ Я подписался'),
('prompt.this_group', 'ru', 'эту группу'),
('prompt.member', 'ru', 'участник'),
('callback.not_for_you', 'ru', 'Эта кнопка предназначена другому участнику.'),
('callback.not_protected', 'ru', 'Эта группа не защищена: проверять нечего.'),
('callback.verified', 'ru', 'Спасибо! Теперь вы можете писать в группе.'),
('callback.still_missing', 'ru', 'Вы ещё не подписались: {channels}. Подпишитесь и нажмите кнопку снова.'),
('callback.released', 'ru', 'Защита в этой группе выключена: вы снова можете писать.'),
('help.text', 'ru', E'<b>Nezuko</b> оставляет группу для подписчиков: чтобы писать, участник должен сначала подписаться на каналы группы.\n\n<b>Настройка</b>\n1. Добавьте @{bot} в группу администратором с правами «Удаление сообщений» и «Блокировка пользователей».\n2. Добавьте его администратором в каждый канал (без прав: он только проверяет подписчиков).\n3. В группе: <code>/protect @вашканал</code> (несколько каналов: <code>/protect @a @b</code>).\n\n<b>Команды</b> (администраторы группы)\n/protect @канал… привязать каналы\n/unprotect снять защиту и вернуть голос всем, кого ограничил бот\n/status защита, каналы и состояние\n/settings показать; <code>/settings имя значение</code> изменить (<code>/settings language ru</code>, <code>/settings mode delete</code>…)\n/help эта справка'),
('private.use_in_group', 'ru', 'Команды работают в группе, где я администратор. Отправьте /help, чтобы узнать, как меня настроить.'),
('protect.usage', 'ru', 'Использование: <code>/protect @канал</code> (несколько: <code>/protect @a @b</code>).'),
('protect.not_admin', 'ru', 'Я не администратор этой группы: назначьте меня администратором с правами «Удаление сообщений» и «Блокировка пользователей».'),
('protect.no_ban_right', 'ru', 'Я администратор, но у меня нет права «Блокировка пользователей» (оно нужно, чтобы ограничивать).'),
('protect.no_delete_right', 'ru', 'Я администратор, но у меня нет права «Удаление сообщений».'),
('protect.basic_group', 'ru', 'Это обычная группа: Telegram позволяет ботам ограничивать участников только в супергруппах (сделайте группу публичной или откройте историю для новых участников, чтобы преобразовать её).'),
('protect.channel_not_found', 'ru', '{channel}: канал не найден (проверьте имя пользователя и что я состою в канале).'),
('protect.not_a_channel', 'ru', '{channel} — не канал.'),
('protect.not_admin_in_channel', 'ru', 'Я не администратор в {channel}: добавьте меня туда администратором (права не нужны), чтобы я видел подписчиков.'),
('protect.cannot_yet', 'ru', E'Пока не могу защитить эту группу:\n{problems}'),
('protect.done', 'ru', E'🛡 Группа защищена. Участники должны подписаться на: {channels}.\nНастройки: /settings.'),
('group.not_protected', 'ru', 'Эта группа не защищена. Сначала используйте <code>/protect @канал</code>.'),
('unprotect.done', 'ru', 'Защита снята. Ограничения сняты с участников, которых ограничил бот: {count}.'),
('status.text', 'ru', E'<b>Защита</b>: {protection}\n<b>Состояние</b>: {health}\n{channels}\n<b>Режим</b>: {mode}, fail_mode {fail_mode}\n<b>Сейчас ограничено</b>: {restricted}\n<b>Проверок за 24 ч</b>: подтверждено {verified}, ограничено {failed}, ошибок {errors}'),
('status.on', 'ru', 'включена'),
('status.off', 'ru', 'выключена'),
('status.ok', 'ru', 'в порядке'),
('settings.list', 'ru', E'<b>Настройки</b>\n{settings}\nИзменить: <code>/settings имя значение</code>'),
('settings.set', 'ru', 'Сохранено: <code>{name}</code> = {value}'),
('settings.not_changed', 'ru', 'Не изменено: {reason}'),
('settings.unknown', 'ru', 'неизвестная настройка «{name}» (настройки: {names})'),
('settings.one_of', 'ru', '{name} должно быть одним из: {values}'),
('settings.on_off', 'ru', '{name} должно быть on или off'),
('settings.number', 'ru', '{name} должно быть целым числом от {min} до {max}'),
('settings.number_or', 'ru', '{name} должно быть {values} или целым числом от {min} до {max}'),
('settings.text_length', 'ru', '{name} должно быть текстом от {min} до {max} символов'),
('settings.whitelist_usage', 'ru', 'whitelist: add &lt;id&gt;, remove &lt;id&gt; или clear'),
('join_request.declined', 'ru', 'Чтобы вступить в {group}, сначала подпишитесь на: {channels}. Затем отправьте заявку снова.'),

-- Portuguese
('prompt.text', 'pt', '{mention}, para escrever em {group} entre primeiro em {channels} e depois toque em «Já entrei».'),
('prompt.join_button', 'pt', 'Entrar em {channel}'),
('prompt.joined_button', 'pt', '✅ Já entrei'),
('prompt.this_group', 'pt', 'este grupo'),
('prompt.member', 'pt', 'membro'),
('callback.not_for_you', 'pt', 'Este botão é para outra pessoa.'),
('callback.not_protected', 'pt', 'Este grupo não está protegido: nada a verificar.'),
('callback.verified', 'pt', 'Obrigado! Agora você pode escrever no grupo.'),
('callback.still_missing', 'pt', 'Você ainda não entrou em: {channels}. Entre e toque no botão de novo.'),
('callback.released', 'pt', 'A proteção está desativada neste grupo: você pode escrever de novo.'),
('help.text', 'pt', E'<b>Nezuko</b> reserva um grupo para inscritos: para escrever, um membro precisa entrar antes nos canais do grupo.\n\n<b>Configuração</b>\n1. Adicione @{bot} ao seu grupo como administrador com as permissões «Apagar mensagens» e «Banir usuários».\n2. Adicione-o a cada canal como administrador (sem permissões: ele só verifica os membros).\n3. No grupo: <code>/protect @seucanal</code> (vários canais: <code>/protect @a @b</code>).\n\n<b>Comandos</b> (administradores do grupo)\n/protect @canal… vincula canais\n/unprotect deixa de proteger e libera todos que o bot silenciou\n/status proteção, canais e estado\n/settings ver; <code>/settings nome valor</code> mudar (<code>/settings language pt</code>, <code>/settings mode delete</code>…)\n/help este texto'),
('private.use_in_group', 'pt', 'Os comandos funcionam num grupo onde sou administrador. Envie /help para ver como me configurar.'),
('protect.usage', 'pt', 'Uso: <code>/protect @canal</code> (vários: <code>/protect @a @b</code>).'),
('protect.not_admin', 'pt', 'Não sou administrador deste grupo: promova-me com as permissões «Apagar mensagens» e «Banir usuários».'),
('protect.no_ban_right', 'pt', 'Sou administrador aqui, mas falta a permissão «Banir usuários» (necessária para silenciar).'),
('protect.no_delete_right', 'pt', 'Sou administrador aqui, mas falta a permissão «Apagar mensagens».'),
('protect.basic_group', 'pt', 'Este é um grupo básico: o Telegram só deixa bots silenciarem membros em supergrupos (torne o grupo público uma vez, ou ative o histórico para novos membros, para convertê-lo).'),
('protect.channel_not_found', 'pt', '{channel}: canal não encontrado (confira o nome de usuário e se sou membro dele).'),
('protect.not_a_channel', 'pt', '{channel} não é um canal.'),
('protect.not_admin_in_channel', 'pt', 'Não sou administrador em {channel}: adicione-me lá como administrador (sem permissões) para eu ver quem está inscrito.'),
('protect.cannot_yet', 'pt', E'Ainda não posso proteger este grupo:\n{problems}'),
('protect.done', 'pt', E'🛡 Este grupo está protegido. Os membros devem entrar em: {channels}.\nUse /settings para ajustar.'),
('group.not_protected', 'pt', 'Este grupo não está protegido. Use primeiro <code>/protect @canal</code>.'),
('unprotect.done', 'pt', 'Proteção removida. {count} membro(s) que o bot havia restringido estão livres de novo.'),
('status.text', 'pt', E'<b>Proteção</b>: {protection}\n<b>Estado</b>: {health}\n{channels}\n<b>Modo</b>: {mode}, fail_mode {fail_mode}\n<b>Restringidos agora</b>: {restricted}\n<b>Verificações em 24 h</b>: {verified} verificadas, {failed} restringidas, {errors} erros'),
('status.on', 'pt', 'ativada'),
('status.off', 'pt', 'desativada'),
('status.ok', 'pt', 'correto'),
('settings.list', 'pt', E'<b>Ajustes</b>\n{settings}\nMudar: <code>/settings nome valor</code>'),
('settings.set', 'pt', '<code>{name}</code> = {value} salvo'),
('settings.not_changed', 'pt', 'Nada mudou: {reason}'),
('settings.unknown', 'pt', 'ajuste desconhecido «{name}» (ajustes: {names})'),
('settings.one_of', 'pt', '{name} deve ser um de {values}'),
('settings.on_off', 'pt', '{name} deve ser on ou off'),
('settings.number', 'pt', '{name} deve ser um número inteiro de {min} a {max}'),
('settings.number_or', 'pt', '{name} deve ser {values} ou um número inteiro de {min} a {max}'),
('settings.text_length', 'pt', '{name} deve ser um texto de {min} a {max} caracteres'),
('settings.whitelist_usage', 'pt', 'whitelist: use add &lt;id&gt;, remove &lt;id&gt; ou clear'),
('join_request.declined', 'pt', 'Para entrar em {group}, entre primeiro em: {channels}. Depois envie o pedido de novo.'),

-- Indonesian
('prompt.text', 'id', '{mention}, untuk menulis di {group} silakan gabung dulu ke {channels}, lalu tekan "Saya sudah gabung".'),
('prompt.join_button', 'id', 'Gabung {channel}'),
('prompt.joined_button', 'id', '✅ Saya sudah gabung'),
('prompt.this_group', 'id', 'grup ini'),
('prompt.member', 'id', 'anggota'),
('callback.not_for_you', 'id', 'Tombol ini untuk orang lain.'),
('callback.not_protected', 'id', 'Grup ini tidak dilindungi: tidak ada yang perlu diperiksa.'),
('callback.verified', 'id', 'Terima kasih! Sekarang Anda bisa menulis di grup.'),
('callback.still_missing', 'id', 'Anda belum bergabung: {channels}. Gabung, lalu tekan tombolnya lagi.'),
('callback.released', 'id', 'Perlindungan grup ini nonaktif: Anda bisa menulis lagi.'),
('help.text', 'id', E'<b>Nezuko</b> menjaga grup untuk pelanggan: anggota harus bergabung ke kanal grup sebelum menulis.\n\n<b>Pengaturan awal</b>\n1. Tambahkan @{bot} ke grup Anda sebagai admin dengan hak "Hapus pesan" dan "Blokir pengguna".\n2. Tambahkan ke setiap kanal sebagai admin (tanpa hak: ia hanya memeriksa anggota).\n3. Di grup: <code>/protect @kanalanda</code> (beberapa kanal: <code>/protect @a @b</code>).\n\n<b>Perintah</b> (admin grup)\n/protect @kanal… tautkan kanal\n/unprotect hentikan perlindungan, bebaskan semua yang dibisukan bot\n/status perlindungan, kanal dan kondisi\n/settings lihat; <code>/settings nama nilai</code> ubah (<code>/settings language id</code>, <code>/settings mode delete</code>…)\n/help teks ini'),
('private.use_in_group', 'id', 'Perintah berfungsi di grup tempat saya menjadi admin. Kirim /help untuk melihat cara mengatur saya.'),
('protect.usage', 'id', 'Cara pakai: <code>/protect @kanal</code> (beberapa: <code>/protect @a @b</code>).'),
('protect.not_admin', 'id', 'Saya bukan admin di grup ini: jadikan saya admin dengan hak "Hapus pesan" dan "Blokir pengguna".'),
('protect.no_ban_right', 'id', 'Saya admin di sini tetapi tidak punya hak "Blokir pengguna" (diperlukan untuk membisukan).'),
('protect.no_delete_right', 'id', 'Saya admin di sini tetapi tidak punya hak "Hapus pesan".'),
('protect.basic_group', 'id', 'Ini grup biasa: Telegram hanya mengizinkan bot membisukan anggota di supergrup (jadikan grup publik sekali, atau aktifkan riwayat untuk anggota baru, untuk meningkatkannya).'),
('protect.channel_not_found', 'id', '{channel}: kanal tidak ditemukan (periksa nama pengguna, dan bahwa saya anggotanya).'),
('protect.not_a_channel', 'id', '{channel} bukan kanal.'),
('protect.not_admin_in_channel', 'id', 'Saya bukan admin di {channel}: tambahkan saya sebagai admin di sana (tanpa hak) agar saya bisa melihat siapa yang berlangganan.'),
('protect.cannot_yet', 'id', E'Grup ini belum bisa dilindungi:\n{problems}'),
('protect.done', 'id', E'🛡 Grup ini dilindungi. Anggota harus bergabung ke: {channels}.\nLihat /settings untuk mengubah caranya.'),
('group.not_protected', 'id', 'Grup ini tidak dilindungi. Gunakan <code>/protect @kanal</code> dulu.'),
('unprotect.done', 'id', 'Perlindungan dihapus. {count} anggota yang dibatasi bot kini bebas lagi.'),
('status.text', 'id', E'<b>Perlindungan</b>: {protection}\n<b>Kondisi</b>: {health}\n{channels}\n<b>Mode</b>: {mode}, fail_mode {fail_mode}\n<b>Dibatasi sekarang</b>: {restricted}\n<b>Pemeriksaan 24 jam</b>: {verified} lolos, {failed} dibatasi, {errors} galat'),
('status.on', 'id', 'aktif'),
('status.off', 'id', 'nonaktif'),
('status.ok', 'id', 'baik'),
('settings.list', 'id', E'<b>Pengaturan</b>\n{settings}\nUbah: <code>/settings nama nilai</code>'),
('settings.set', 'id', '<code>{name}</code> = {value} disimpan'),
('settings.not_changed', 'id', 'Tidak diubah: {reason}'),
('settings.unknown', 'id', 'pengaturan tidak dikenal "{name}" (pengaturan: {names})'),
('settings.one_of', 'id', '{name} harus salah satu dari {values}'),
('settings.on_off', 'id', '{name} harus on atau off'),
('settings.number', 'id', '{name} harus bilangan bulat dari {min} sampai {max}'),
('settings.number_or', 'id', '{name} harus {values} atau bilangan bulat dari {min} sampai {max}'),
('settings.text_length', 'id', '{name} harus teks {min} sampai {max} karakter'),
('settings.whitelist_usage', 'id', 'whitelist: gunakan add &lt;id&gt;, remove &lt;id&gt; atau clear'),
('join_request.declined', 'id', 'Untuk masuk ke {group}, gabung dulu ke: {channels}. Lalu kirim permintaan Anda lagi.'),

-- Hindi
('prompt.text', 'hi', '{mention}, {group} में लिखने के लिए पहले {channels} से जुड़ें, फिर "मैं जुड़ गया" दबाएँ।'),
('prompt.join_button', 'hi', '{channel} से जुड़ें'),
('prompt.joined_button', 'hi', '✅ मैं जुड़ गया'),
('prompt.this_group', 'hi', 'इस समूह'),
('prompt.member', 'hi', 'सदस्य'),
('callback.not_for_you', 'hi', 'यह बटन किसी और के लिए है।'),
('callback.not_protected', 'hi', 'यह समूह सुरक्षित नहीं है: जाँचने को कुछ नहीं है।'),
('callback.verified', 'hi', 'धन्यवाद! अब आप समूह में लिख सकते हैं।'),
('callback.still_missing', 'hi', 'आप अभी तक नहीं जुड़े: {channels}। जुड़ें, फिर बटन दोबारा दबाएँ।'),
('callback.released', 'hi', 'इस समूह में सुरक्षा बंद है: आप फिर से लिख सकते हैं।'),
('help.text', 'hi', E'<b>Nezuko</b> समूह को सब्सक्राइबर्स के लिए रखता है: लिखने से पहले सदस्य को समूह के चैनलों से जुड़ना होगा।\n\n<b>सेटअप</b>\n1. @{bot} को अपने समूह में "संदेश हटाएँ" और "उपयोगकर्ताओं को प्रतिबंधित करें" अधिकारों के साथ एडमिन बनाएँ।\n2. इसे हर चैनल में एडमिन के रूप में जोड़ें (कोई अधिकार नहीं चाहिए: यह केवल सदस्यों की जाँच करता है)।\n3. समूह में: <code>/protect @आपकाचैनल</code> (कई चैनल: <code>/protect @a @b</code>)।\n\n<b>कमांड</b> (समूह एडमिन)\n/protect @चैनल… चैनल जोड़ें\n/unprotect सुरक्षा हटाएँ, बॉट द्वारा म्यूट किए गए सभी को मुक्त करें\n/status सुरक्षा, चैनल और स्थिति\n/settings देखें; <code>/settings नाम मान</code> बदलें (<code>/settings language hi</code>, <code>/settings mode delete</code>…)\n/help यह पाठ'),
('private.use_in_group', 'hi', 'कमांड उस समूह में काम करते हैं जहाँ मैं एडमिन हूँ। मुझे सेट करने का तरीका देखने के लिए /help भेजें।'),
('protect.usage', 'hi', 'उपयोग: <code>/protect @चैनल</code> (कई: <code>/protect @a @b</code>)।'),
('protect.not_admin', 'hi', 'मैं इस समूह में एडमिन नहीं हूँ: मुझे "संदेश हटाएँ" और "उपयोगकर्ताओं को प्रतिबंधित करें" अधिकारों के साथ एडमिन बनाएँ।'),
('protect.no_ban_right', 'hi', 'मैं यहाँ एडमिन हूँ पर मेरे पास "उपयोगकर्ताओं को प्रतिबंधित करें" अधिकार नहीं है (म्यूट करने के लिए ज़रूरी)।'),
('protect.no_delete_right', 'hi', 'मैं यहाँ एडमिन हूँ पर मेरे पास "संदेश हटाएँ" अधिकार नहीं है।'),
('protect.basic_group', 'hi', 'यह एक साधारण समूह है: Telegram बॉट को केवल सुपरग्रुप में सदस्यों को म्यूट करने देता है (इसे अपग्रेड करने के लिए समूह को एक बार सार्वजनिक करें, या नए सदस्यों के लिए इतिहास चालू करें)।'),
('protect.channel_not_found', 'hi', '{channel}: चैनल नहीं मिला (यूज़रनेम जाँचें, और यह कि मैं उसका सदस्य हूँ)।'),
('protect.not_a_channel', 'hi', '{channel} चैनल नहीं है।'),
('protect.not_admin_in_channel', 'hi', 'मैं {channel} में एडमिन नहीं हूँ: मुझे वहाँ एडमिन बनाएँ (कोई अधिकार नहीं चाहिए) ताकि मैं देख सकूँ कि कौन सब्सक्राइब है।'),
('protect.cannot_yet', 'hi', E'यह समूह अभी सुरक्षित नहीं किया जा सकता:\n{problems}'),
('protect.done', 'hi', E'🛡 यह समूह सुरक्षित है। सदस्यों को इनसे जुड़ना होगा: {channels}।\nतरीका बदलने के लिए /settings देखें।'),
('group.not_protected', 'hi', 'यह समूह सुरक्षित नहीं है। पहले <code>/protect @चैनल</code> का उपयोग करें।'),
('unprotect.done', 'hi', 'सुरक्षा हटा दी गई। बॉट द्वारा प्रतिबंधित {count} सदस्य फिर से मुक्त हैं।'),
('status.text', 'hi', E'<b>सुरक्षा</b>: {protection}\n<b>स्थिति</b>: {health}\n{channels}\n<b>मोड</b>: {mode}, fail_mode {fail_mode}\n<b>अभी प्रतिबंधित</b>: {restricted}\n<b>24 घंटे में जाँच</b>: {verified} सत्यापित, {failed} प्रतिबंधित, {errors} त्रुटियाँ'),
('status.on', 'hi', 'चालू'),
('status.off', 'hi', 'बंद'),
('status.ok', 'hi', 'ठीक'),
('settings.list', 'hi', E'<b>सेटिंग्स</b>\n{settings}\nबदलें: <code>/settings नाम मान</code>'),
('settings.set', 'hi', '<code>{name}</code> = {value} सहेजा गया'),
('settings.not_changed', 'hi', 'नहीं बदला: {reason}'),
('settings.unknown', 'hi', 'अज्ञात सेटिंग "{name}" (सेटिंग्स: {names})'),
('settings.one_of', 'hi', '{name} इनमें से एक होना चाहिए: {values}'),
('settings.on_off', 'hi', '{name} on या off होना चाहिए'),
('settings.number', 'hi', '{name} {min} से {max} तक की पूर्ण संख्या होनी चाहिए'),
('settings.number_or', 'hi', '{name} {values} या {min} से {max} तक की पूर्ण संख्या होनी चाहिए'),
('settings.text_length', 'hi', '{name} {min} से {max} अक्षरों का पाठ होना चाहिए'),
('settings.whitelist_usage', 'hi', 'whitelist: add &lt;id&gt;, remove &lt;id&gt; या clear का उपयोग करें'),
('join_request.declined', 'hi', '{group} में शामिल होने के लिए पहले इनसे जुड़ें: {channels}। फिर अपना अनुरोध दोबारा भेजें।');

insert into nezuko.bot_texts (key, language, body) values
('settings.id_list', 'en', '{name} must be a list of Telegram ids'),
('settings.id_list', 'es', '{name} debe ser una lista de ids de Telegram'),
('settings.id_list', 'ru', '{name} должно быть списком id Telegram'),
('settings.id_list', 'pt', '{name} deve ser uma lista de ids do Telegram'),
('settings.id_list', 'id', '{name} harus berupa daftar id Telegram'),
('settings.id_list', 'hi', '{name} Telegram id की सूची होनी चाहिए');

-- The languages the bot speaks: those with every key English has. A group's
-- `language` setting must be one of them; a user's language_code is used
-- when it is one of them.
create function nezuko.text_languages() returns text[]
language sql stable as $$
    select coalesce(array_agg(l.language order by l.language <> 'en', l.language), '{en}')
    from (select distinct language from nezuko.bot_texts) l
    where not exists (select from nezuko.bot_texts e
                      where e.language = 'en'
                        and not exists (select from nezuko.bot_texts t where t.key = e.key and t.language = l.language))
$$;
comment on function nezuko.text_languages() is
    'Languages with a complete text set (every key of English), English first. Lives in schema nezuko because the group settings validator (a CHECK) uses it.';

-- Group settings as a registry, like admin_config and command_types: one row
-- per setting says its type, default, allowed values and meaning. The CHECK
-- on protected_groups.params (nezuko.check_group_params), the effective
-- settings (bot.settings), /settings and the API (api.list_group_settings)
-- all read it, so adding a setting is one INSERT here.

create table nezuko.group_settings (
    name           text primary key check (name ~ '^[a-z_]+$'),
    position       integer not null unique,
    value_type     text not null check (value_type in ('enum', 'integer', 'boolean', 'text', 'id_list', 'language')),
    default_value  jsonb not null,
    allowed_values text[],
    min_value      bigint,
    max_value      bigint,
    description    text not null,
    constraint enum_has_choices check (value_type <> 'enum' or cardinality(allowed_values) > 0),
    constraint range_is_ordered check (min_value is null or max_value is null or min_value <= max_value)
);
comment on table nezuko.group_settings is
    'The per-group settings (protected_groups.params) a group admin may change: type, default, allowed values, description. Read by the params CHECK, bot.settings, /settings and api.list_group_settings.';
comment on column nezuko.group_settings.position is 'Order in /settings and the API.';
comment on column nezuko.group_settings.value_type is
    'enum (one of allowed_values), integer (min_value..max_value, or one of allowed_values), boolean, text (min_value..max_value characters), id_list (array of Telegram ids), language (a language with a complete set of bot_texts).';
comment on column nezuko.group_settings.default_value is 'The value when the group''s params do not set it. JSON null: no value (prompt_text: the language''s own prompt).';
comment on column nezuko.group_settings.allowed_values is 'enum: the choices. integer: values accepted outside min_value..max_value (0 = "until subscribed").';

insert into nezuko.group_settings (name, position, value_type, default_value, allowed_values, min_value, max_value, description) values
    ('mode', 1, 'enum', '"mute"', '{delete,mute,both}', null, null,
     'What happens to a non-subscriber''s message: delete it, mute the sender, or both.'),
    ('language', 2, 'language', '"en"', null, null, null,
     'The language of everything the bot writes in the group (prompts, buttons, command replies). Set by /protect to the admin''s language when the bot speaks it.'),
    ('mute_duration_seconds', 3, 'integer', '0', '{0}', 30, 31622400,
     'How long a mute lasts: 0 = until subscribed; Telegram treats under 30 s or over 366 days as forever.'),
    ('verify_on_join', 4, 'boolean', 'true', null, null, null,
     'Check a member when they join the group, not only at their first message.'),
    ('join_request_gating', 5, 'boolean', 'false', null, null, null,
     'Approve join requests only for subscribers (decline the others, telling them which channels to join).'),
    ('fail_mode', 6, 'enum', '"open"', '{open,closed}', null, null,
     'When a channel cannot be checked (the bot is not its admin): open lets the member write, closed treats them as not subscribed.'),
    ('sender_chat_action', 7, 'enum', '"delete"', '{delete,ban,allow}', null, null,
     'A message sent as a chat other than the group, its linked channel or a whitelisted channel: delete it, delete it and ban that chat (banChatSenderChat), or allow it.'),
    ('prompt_text', 8, 'text', 'null', null, 1, 2048,
     'A custom prompt instead of the language''s own; placeholders {mention} {name} {group} {channels}.'),
    ('auto_delete_seconds', 9, 'integer', '0', null, 0, 86400,
     'Delete the bot''s own prompts and replies after this many seconds (0 = never).'),
    ('whitelist', 10, 'id_list', '[]', null, null, null,
     'Users (and chats, for messages sent as a channel) never restricted here, by Telegram id.');

-- What is wrong with one setting's value, as a text key and its arguments
-- (so the bot can say it in the group's language), or null when valid.
create function nezuko.group_setting_problem(p_name text, p_value jsonb) returns jsonb
language plpgsql stable as $$
declare
    s nezuko.group_settings;
    v_langs text[];
begin
    select * into s from nezuko.group_settings where name = p_name;
    if not found then
        return jsonb_build_object('key', 'settings.unknown', 'args', jsonb_build_object('name', p_name,
            'names', (select string_agg(name, ', ' order by position) from nezuko.group_settings)));
    end if;
    case s.value_type
    when 'enum' then
        if jsonb_typeof(p_value) = 'string' and p_value #>> '{}' = any (s.allowed_values) then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.one_of', 'args',
            jsonb_build_object('name', p_name, 'values', array_to_string(s.allowed_values, ', ')));
    when 'language' then
        v_langs := nezuko.text_languages();
        if jsonb_typeof(p_value) = 'string' and p_value #>> '{}' = any (v_langs) then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.one_of', 'args',
            jsonb_build_object('name', p_name, 'values', array_to_string(v_langs, ', ')));
    when 'boolean' then
        if jsonb_typeof(p_value) = 'boolean' then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.on_off', 'args', jsonb_build_object('name', p_name));
    when 'integer' then
        if jsonb_typeof(p_value) = 'number' and (p_value #>> '{}')::numeric = trunc((p_value #>> '{}')::numeric)
           and ((p_value #>> '{}')::numeric between coalesce(s.min_value, -9223372036854775808) and coalesce(s.max_value, 9223372036854775807)
                or p_value #>> '{}' = any (coalesce(s.allowed_values, '{}'))) then
            return null;
        end if;
        if cardinality(s.allowed_values) > 0 then
            return jsonb_build_object('key', 'settings.number_or', 'args', jsonb_build_object('name', p_name,
                'values', array_to_string(s.allowed_values, ', '), 'min', s.min_value, 'max', s.max_value));
        end if;
        return jsonb_build_object('key', 'settings.number', 'args',
            jsonb_build_object('name', p_name, 'min', s.min_value, 'max', s.max_value));
    when 'text' then
        if jsonb_typeof(p_value) = 'string'
           and length(p_value #>> '{}') between coalesce(s.min_value, 0) and coalesce(s.max_value, 4096) then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.text_length', 'args',
            jsonb_build_object('name', p_name, 'min', coalesce(s.min_value, 0), 'max', coalesce(s.max_value, 4096)));
    when 'id_list' then
        if jsonb_typeof(p_value) = 'array' and not exists (
                select from jsonb_array_elements(p_value) e
                where jsonb_typeof(e) <> 'number' or e::text !~ '^-?[0-9]{1,19}$') then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.id_list', 'args', jsonb_build_object('name', p_name));
    end case;
end
$$;
comment on function nezuko.group_setting_problem(text, jsonb) is
    'Checks one group setting against the registry (nezuko.group_settings): null when valid, else {key, args} naming the problem as a bot_texts key.';

