-- Baseline 3 of 6, operations: the tables the bridge runs on: heartbeats,
-- the command queue, API tokens and SSE tickets, login throttling, the
-- membership cache, the restrictions a bot made, the effect outbox, the
-- bot's messages due for deletion, and update dedup.

create table nezuko.bot_status (
    bot_instance_id bigint primary key references nezuko.bot_instances (id) on delete cascade,
    status          text not null check (status in ('starting', 'online', 'degraded', 'offline', 'error')),
    started_at      timestamptz not null default now(),
    last_heartbeat  timestamptz not null default now(),
    uptime_seconds  bigint not null default 0 check (uptime_seconds >= 0),
    version         text,
    instance        text,
    metadata        jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
    updated_at      timestamptz not null default now(),
    status_reason   text
);
comment on table nezuko.bot_status is 'Heartbeat of each running bot, upserted every heartbeat_interval_seconds. Older than two intervals = down.';
comment on column nezuko.bot_status.instance is 'The nezuko process (host:pid) running the bot.';
comment on column nezuko.bot_status.metadata is 'Live counters: updates handled, queue depth, cache hit rate, ...';
-- Health follows Telegram's answers: the heartbeat carries the counts of the
-- last minute's bad answers and SQL (bot.heartbeat) decides online /
-- degraded / error.
comment on column nezuko.bot_status.status_reason is 'Why the bot is degraded or in error (token refused, repeated 429/5xx/timeouts), from the answers Telegram gave during the last heartbeat interval.';

create table nezuko.command_types (
    name        text primary key check (name ~ '^[a-z][a-z0-9_]*$'),
    description text not null,
    needs_bot   boolean not null default true,
    payload_fields jsonb not null default '{}'
        check (jsonb_typeof(payload_fields) = 'object'),
    repeatable  boolean not null default false
);
comment on table nezuko.command_types is 'Registry of admin command types the worker can execute.';
comment on column nezuko.command_types.needs_bot is 'False for commands done in SQL alone (clear_cache).';
comment on column nezuko.command_types.payload_fields is
    'Payload rules: {"field": {"type": "chat_id"|"user_id"|"text"|"seconds"|"boolean", "required": true|false}}. '
    'Fields not listed are refused. Checked by bot.validate_command at INSERT (API and plain SQL alike).';
comment on column nezuko.command_types.repeatable is
    'True when running the command twice has the effect of running it once (ban, restrict, re-verify, sync, leave, '
    'clear the cache): an attempt whose outcome is unknown is then simply re-run. False (send a message): such an '
    'attempt ends the command with status unknown instead of risking a second effect.';

-- Whether a command may repeat (command_types.repeatable): a worker that
-- dies after handing a command to Telegram leaves an attempt whose outcome
-- nobody knows. Re-running it is right for effects that may repeat (a
-- second ban is a no-op) and wrong for the others (a second message): a
-- rescue of such an attempt re-runs only repeatable commands; the others end
-- with status 'unknown' for a human to look at.
insert into nezuko.command_types (name, description, needs_bot, payload_fields, repeatable) values
    ('ban_user', 'Ban a user from a group.', true,
     '{"group_id": {"type": "chat_id", "required": true}, "user_id": {"type": "user_id", "required": true},
       "until_seconds": {"type": "seconds"}, "revoke_messages": {"type": "boolean"}}', true),
    ('unban_user', 'Lift a ban in a group.', true,
     '{"group_id": {"type": "chat_id", "required": true}, "user_id": {"type": "user_id", "required": true}}', true),
    ('mute_user', 'Restrict a user in a group.', true,
     '{"group_id": {"type": "chat_id", "required": true}, "user_id": {"type": "user_id", "required": true},
       "until_seconds": {"type": "seconds"}}', true),
    ('unmute_user', 'Re-verify a user and unmute them if subscribed.', true,
     '{"group_id": {"type": "chat_id", "required": true}, "user_id": {"type": "user_id", "required": true}}', true),
    ('send_message', 'Send a message to a group.', true,
     '{"group_id": {"type": "chat_id", "required": true}, "text": {"type": "text", "required": true},
       "parse_mode": {"type": "parse_mode"}, "disable_notification": {"type": "boolean"}}', false),
    ('sync_group', 'Refresh a group''s title, member count and the bot''s rights there.', true,
     '{"group_id": {"type": "chat_id", "required": true}}', true),
    ('sync_channel', 'Refresh a channel''s title, username, invite link and subscriber count.', true,
     '{"channel_id": {"type": "chat_id", "required": true}}', true),
    ('leave_group', 'Make the bot leave a group.', true,
     '{"group_id": {"type": "chat_id", "required": true}}', true),
    ('clear_cache', 'Clear the membership cache for a user, group, channel or all.', false,
     '{"user_id": {"type": "user_id"}, "group_id": {"type": "chat_id"}, "channel_id": {"type": "chat_id"}, "all": {"type": "boolean"}}', true),
    -- Log retention (README): deletes raw log rows older than
    -- log_retention_days, log_prune_batch_rows per table per transaction;
    -- it schedules itself daily at log_prune_hour_utc. Deleting rows past
    -- retention twice deletes nothing more.
    ('prune_logs', 'Delete raw verification_log, api_call_log and admin_logs rows older than log_retention_days, in short batches; the analytics rollups keep their aggregates. Runs daily by itself.', false, '{}', true);

create table nezuko.admin_commands (
    id               bigint generated always as identity primary key,
    -- Checked at commit, after the validator (a statement-level trigger,
    -- triggers/validate_admin_command.sql) has had its say: an unknown type
    -- gets "unknown command type" (22023, with the known ones) rather than a
    -- foreign-key message.
    command_type     text not null references nezuko.command_types (name) deferrable initially deferred,
    bot_instance_id  bigint references nezuko.bot_instances (id) on delete set null,
    payload          jsonb not null default '{}' check (jsonb_typeof(payload) = 'object'),
    status           text not null default 'pending'
                     check (status in ('pending', 'running', 'completed', 'failed', 'cancelled', 'unknown')),
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
    dispatched_at    timestamptz,
    constraint running_has_lease check (status <> 'running' or (lease_owner is not null and lease_expires_at is not null)),
    constraint finished_has_time check (status not in ('completed', 'failed', 'cancelled', 'unknown') or finished_at is not null)
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
comment on column nezuko.admin_commands.status is
    'pending -> running -> completed | failed (or back to pending for a retry); cancelled while pending; '
    'unknown: an attempt of a command that may not repeat was handed to Telegram and its worker never reported '
    'what happened (see command_types.repeatable). The worker that made the attempt may still settle it.';
comment on column nezuko.admin_commands.dispatched_at is
    'When the running attempt was handed to Telegram (bot.plan_command sets it, committed before any Bot API call); '
    'null while the attempt has not reached Telegram, so a rescue may re-run it whatever its type.';

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
    member_status text not null check (member_status in ('creator', 'administrator', 'member', 'restricted', 'left', 'kicked', 'error')),
    is_member  boolean not null,
    checked_at timestamptz not null default now(),
    expires_at timestamptz not null,
    error_type text,
    primary key (channel_id, user_id),
    constraint membership_cache_error_has_type check ((member_status = 'error') = (error_type is not null))
);
create index membership_cache_user_idx on nezuko.membership_cache (user_id);
comment on table nezuko.membership_cache is
    'Telegram''s answers to getChatMember(chat, user), kept for the positive or negative TTL of admin_config. chat is an enforced channel (subscription) or a protected group (is the user an admin there).';
-- Telegram's answer "I could not check" is an answer too: kept briefly so a
-- channel the bot cannot see costs one call per TTL, not one per message.
comment on column nezuko.membership_cache.error_type is
    'For member_status error: why Telegram could not answer (bot_not_admin, chat_not_found, ...); kept membership_cache_ttl_error_seconds; the group''s fail_mode decides meanwhile.';
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
    prompted_at       timestamptz,
    muted_at          timestamptz,
    primary key (group_id, user_id)
);
create index group_restrictions_user_idx on nezuko.group_restrictions (user_id);
comment on table nezuko.group_restrictions is 'Users this bot muted or prompted in a group, so it can unmute them when they join a channel and delete its own prompt. Only users listed here are ever unmuted by the bot.';
comment on column nezuko.group_restrictions.prompt_message_id is 'The bot''s "please subscribe" message in the group, deleted on unmute.';
comment on column nezuko.group_restrictions.prompted_at is
    'When the bot last posted a prompt for this user here; no second prompt within prompt_repeat_seconds (one prompt, not one per message).';
-- The intent, not the outcome: muted = the bot wants this member muted;
-- muted_at = Telegram confirmed it.
comment on column nezuko.group_restrictions.muted is 'The bot decided to mute this member here (the restrictChatMember effect may still be pending: see muted_at).';
comment on column nezuko.group_restrictions.muted_at is 'When Telegram confirmed the mute; null while the effect is pending.';

create table nezuko.processed_updates (
    bot_instance_id bigint not null,
    update_id       bigint not null,
    processed_at    timestamptz not null default now(),
    primary key (bot_instance_id, update_id)
);
comment on table nezuko.processed_updates is 'Telegram updates whose effect is committed, so a redelivered update (same bot, same update_id) has no second effect. Pruned after a day.';

-- The bot's own messages (prompts, command replies) to delete later: the
-- group's auto_delete_seconds setting. A row is claimed (deleted) by the
-- bridge when due, and removed early when the prompt is deleted on unmute.
create table nezuko.bot_scheduled_deletions (
    chat_id         bigint not null,
    message_id      bigint not null,
    bot_instance_id bigint not null references nezuko.bot_instances (id) on delete cascade,
    delete_at       timestamptz not null,
    primary key (chat_id, message_id)
);
create index bot_scheduled_deletions_due_idx on nezuko.bot_scheduled_deletions (bot_instance_id, delete_at);
comment on table nezuko.bot_scheduled_deletions is
    'Messages the bot posted that it must delete at delete_at (group setting auto_delete_seconds).';

-- Durable effects: the Bot API calls a decision wants are rows, written in
-- the decision's own transaction, and the member's state records the
-- intent (a mute pending) until Telegram's answer comes back. An executor
-- claims effects under a lease, one chat at a time in id order, calls
-- Telegram, and reports the answer to SQL (bot.effect_done / bot.effect_retry),
-- which moves the state on. A crash, a restart or a takeover by another
-- `serve` resumes what is pending: nothing is lost, and a send whose outcome
-- is unknown is never sent twice (it ends as 'unknown').

create table nezuko.bot_effects (
    id               bigint generated always as identity primary key,
    bot_instance_id  bigint not null references nezuko.bot_instances (id) on delete cascade,
    chat_id          bigint not null,
    method           text not null check (method ~ '^[a-zA-Z]{3,64}$'),
    params           jsonb not null check (jsonb_typeof(params) = 'object'),
    outcome          jsonb not null default '[]' check (jsonb_typeof(outcome) = 'array'),
    repeatable       boolean not null,
    status           text not null default 'pending'
                     check (status in ('pending', 'running', 'done', 'failed', 'unknown')),
    attempts         integer not null default 0 check (attempts >= 0),
    max_attempts     integer not null default 6 check (max_attempts between 1 and 100),
    run_after        timestamptz not null default now(),
    lease_owner      text,
    lease_expires_at timestamptz,
    calling_at       timestamptz,
    source           text not null,
    result           jsonb,
    error_type       text,
    error_code       integer,
    description      text,
    created_at       timestamptz not null default now(),
    finished_at      timestamptz,
    constraint running_has_lease check (status <> 'running' or (lease_owner is not null and lease_expires_at is not null)),
    constraint finished_has_time check (status in ('pending', 'running') or finished_at is not null)
);
-- The claim reads the head (lowest id) of each chat's unfinished effects:
-- this partial index holds only those, in that order, so it stays small
-- however long the history grows.
create index bot_effects_lane_idx on nezuko.bot_effects (bot_instance_id, chat_id, id)
    where status in ('pending', 'running');
create index bot_effects_lease_idx on nezuko.bot_effects (lease_expires_at) where status = 'running';
create index bot_effects_finished_idx on nezuko.bot_effects (finished_at) where finished_at is not null;
comment on table nezuko.bot_effects is
    'Effect outbox: every Bot API call a decision wants (mute, prompt, delete, unmute, answer), written in the decision''s transaction. Executed per chat in id order under a lease; the answer is reported to SQL, which moves the member''s state. Finished rows are kept a day (bot.housekeeping).';
comment on column nezuko.bot_effects.chat_id is 'The lane: effects of one chat run one at a time, in id order (0 = a call into no chat, e.g. answerCallbackQuery).';
comment on column nezuko.bot_effects.outcome is 'What SQL does with the answer (bot.apply_outcome): [{kind: mute|prompt|unmute|autodelete|..., group_id, user_id, ...}].';
comment on column nezuko.bot_effects.repeatable is 'Whether the call may be made twice without a visible difference (restrict, delete, ban: yes; send: no). An interrupted non-repeatable call ends as unknown instead of being made again.';
comment on column nezuko.bot_effects.status is 'pending → running (claimed) → done | failed (Telegram refused, or retries ran out) | unknown (a non-repeatable call was interrupted: it may or may not have happened).';
comment on column nezuko.bot_effects.calling_at is 'Set (durably) just before a non-repeatable call goes out; a rescued effect with it set has an unknown outcome.';
comment on column nezuko.bot_effects.source is 'What wanted it: update:<update_id>, deletion, api, command.';
comment on column nezuko.bot_effects.error_type is 'Class of the last failure: rate_limited, server_error, timeout, not_enough_rights, forbidden, bad_request, ...';

-- SSE tickets are single-purpose.
--
-- A browser's EventSource cannot send an Authorization header, so it opens
-- GET /v1/events?access_token=<ticket>. A ticket used to be an ordinary API
-- token with a 5-minute life: it could call the whole API, mint more
-- tickets, showed up in list_api_tokens and outlived a logout. Tickets now
-- live in a table of their own: valid only for opening an event stream
-- (auth.authenticate_ticket), short-lived, bound to the token that minted
-- them (revoking it, or deactivating its account, ends them and closes the
-- streams they opened), never listed as API tokens and unable to mint.

create table nezuko.sse_tickets (
    id           bigint generated always as identity primary key,
    token_sha256 bytea not null unique check (length(token_sha256) = 32),
    api_token_id bigint not null references nezuko.api_tokens (id) on delete cascade,
    created_at   timestamptz not null default now(),
    expires_at   timestamptz not null
);
create index sse_tickets_api_token_idx on nezuko.sse_tickets (api_token_id);
create index sse_tickets_expires_idx on nezuko.sse_tickets (expires_at);
comment on table nezuko.sse_tickets is
    'Short-lived tickets that open GET /v1/events only (access_token=...). Only a SHA-256 of each is kept. '
    'A ticket acts with the role of the API token that minted it, and dies with it. Expired rows are deleted by auth.create_ticket.';
comment on column nezuko.sse_tickets.api_token_id is 'The API token that minted the ticket: revoking it ends the ticket and the streams it opened.';

-- Login throttling. Every failed POST /v1/auth/login leaves a row here;
-- auth.login counts the recent ones for the account and for the client
-- address *before* it hashes the password, and refuses (HTTP 429 with
-- Retry-After) while either is over its limit. So a flood of wrong
-- passwords costs one indexed count per attempt, not a bcrypt each on the
-- shared database (30 threads of wrong logins raised the admin API's p50
-- from 1.5 to 350 ms before this).
create table nezuko.login_failures (
    id         bigint generated always as identity primary key,
    email      text not null,
    ip         inet,
    failed_at  timestamptz not null default now()
);
comment on table nezuko.login_failures is 'Failed logins (unknown email, wrong password, deactivated account) for throttling: counted per email and per client address over login_failure_window_seconds. A success clears its email''s rows; older rows are deleted as new ones come.';
comment on column nezuko.login_failures.email is 'The email as typed, lower-cased (also for unknown accounts, so probing one costs the same).';
comment on column nezuko.login_failures.ip is 'The client address the API saw (null when unknown).';
create index login_failures_email on nezuko.login_failures (email, failed_at);
create index login_failures_ip on nezuko.login_failures (ip, failed_at) where ip is not null;

