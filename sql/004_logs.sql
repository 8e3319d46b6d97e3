-- Baseline 4 of 6, logs and realtime. The event logs. They keep the seed system's column names, since DBAs and
-- existing dashboards query them. They carry no foreign keys: a log row
-- outlives the group or bot it mentions, and ingest must stay cheap. A plain
-- INSERT by a DBA is a supported way in; every trigger copes with it.
--
-- BRIN on timestamp: rows arrive in time order, so a block-range index
-- answers time windows at ~40 kB per 10 M rows where a btree takes ~200 MB
-- (measured on this project's 2-core machine, see shared/PITFALLS.md).

create table nezuko.verification_log (
    id         bigint generated always as identity primary key,
    user_id    bigint not null,
    group_id   bigint,
    channel_id bigint,
    status     text not null check (status in ('verified', 'restricted', 'error')),
    latency_ms integer not null default 0 check (latency_ms >= 0),
    cached     boolean not null default false,
    error_type text,
    timestamp  timestamptz not null default now(),
    txid       xid8 not null default pg_current_xact_id()
);
-- 16 pages per BRIN range and autosummarize: see "Analytics performance"
-- in 005_analytics.sql.
create index verification_log_timestamp_brin on nezuko.verification_log using brin (timestamp)
    with (pages_per_range = 16, autosummarize = on);
create index idx_verification_log_group_timestamp on nezuko.verification_log (group_id, timestamp);
comment on table nezuko.verification_log is 'One row per membership check: who, where, the outcome, how long it took and whether the cache answered. Source of the verification analytics and the dashboard''s live feed.';
comment on column nezuko.verification_log.channel_id is 'The channel checked; null when one decision covered several channels or none was reachable.';
comment on column nezuko.verification_log.status is 'verified (subscribed to every enforced channel), restricted (missing at least one), error (could not check).';
comment on column nezuko.verification_log.latency_ms is 'Time to reach the decision, including Telegram round trips on a cache miss.';
comment on column nezuko.verification_log.cached is 'True when every answer came from the membership cache.';
comment on column nezuko.verification_log.error_type is 'For status error: a short class such as bot_not_admin, chat_not_found, timeout.';
comment on column nezuko.verification_log.txid is 'Writing transaction (pg_current_xact_id()). The realtime relay delivers a row only once every older transaction has finished, so a reader never skips a row that commits late.';

create table nezuko.api_call_log (
    id         bigint generated always as identity primary key,
    method     text not null,
    chat_id    bigint,
    user_id    bigint,
    success    boolean not null,
    latency_ms integer not null default 0 check (latency_ms >= 0),
    error_type text,
    timestamp  timestamptz not null default now()
);
create index api_call_log_timestamp_brin on nezuko.api_call_log using brin (timestamp)
    with (pages_per_range = 16, autosummarize = on);
comment on table nezuko.api_call_log is 'One row per Telegram Bot API call the bots made. Written in batches off the hot path.';
comment on column nezuko.api_call_log.method is 'Bot API method, e.g. getChatMember, restrictChatMember, sendMessage.';
comment on column nezuko.api_call_log.error_type is 'For failed calls: too_many_requests, bot_kicked, not_enough_rights, chat_not_found, network, ...';

create table nezuko.admin_logs (
    id            bigint generated always as identity primary key,
    level         text not null check (level in ('DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL')),
    logger        text not null default 'nezuko',
    message       text not null,
    source_file   text,
    source_function text,
    source_line   integer,
    attributes    jsonb not null default '{}' check (jsonb_typeof(attributes) = 'object'),
    bot_instance_id bigint,
    instance      text,
    timestamp     timestamptz not null default now(),
    txid          xid8 not null default pg_current_xact_id()
);
create index admin_logs_timestamp_brin on nezuko.admin_logs using brin (timestamp);
create index admin_logs_level_timestamp_idx on nezuko.admin_logs (level, timestamp);
comment on table nezuko.admin_logs is 'Application logs of the bridge (INFO and above), written asynchronously in batches; readable from the dashboard.';
comment on column nezuko.admin_logs.attributes is 'The structured attributes of the slog record.';
comment on column nezuko.admin_logs.instance is 'Which nezuko process wrote it (host:pid).';
comment on column nezuko.admin_logs.txid is 'Writing transaction, for gap-free realtime replay (see verification_log.txid).';

create table nezuko.admin_audit_log (
    id            bigint generated always as identity primary key,
    admin_user_id bigint,
    api_token_id  bigint,
    db_user       text not null default current_user,
    action        text not null check (action in ('insert', 'update', 'delete')),
    resource_type text not null,
    resource_id   text,
    old_value     jsonb,
    new_value     jsonb,
    ip            inet,
    user_agent    text,
    created_at    timestamptz not null default now()
);
create index idx_admin_audit_log_action_timestamp on nezuko.admin_audit_log (action, created_at);
create index idx_admin_audit_log_resource on nezuko.admin_audit_log (resource_type, resource_id, created_at);
create index admin_audit_log_created_brin on nezuko.admin_audit_log using brin (created_at);
comment on table nezuko.admin_audit_log is 'Every insert, update and delete of configuration made through the API or by hand, written by triggers.';
comment on column nezuko.admin_audit_log.admin_user_id is 'The admin behind an API request (setting nezuko.admin_id); null for a direct SQL change.';
comment on column nezuko.admin_audit_log.db_user is 'The database role that made the change (session_user for direct SQL).';
comment on column nezuko.admin_audit_log.resource_type is 'The table changed, e.g. protected_groups.';
comment on column nezuko.admin_audit_log.old_value is 'The row before the change (null for insert). Secret columns are removed.';

-- Realtime events: what the SSE relay (GET /v1/events) replays from.
--
-- verification_log and admin_logs rows ARE events (each carries the txid of
-- the transaction that wrote it). bot_status and admin_commands change in
-- place, so their changes are copied here, by the triggers package, as an
-- outbox that keeps the row as it was at that moment.
--
-- Order and gap-freedom: every event is keyed (txid, kind_no, id). The relay
-- delivers an event only once its txid is older than every transaction still
-- in flight (pg_snapshot_xmin(pg_current_snapshot())), so an event can never
-- appear behind a cursor a client already holds, however transactions
-- interleave (ids from a sequence are not in commit order).

create table nezuko.realtime_events (
    id         bigint generated always as identity primary key,
    channel    text not null check (channel in ('bot_status', 'commands')),
    kind       text not null check (kind in ('status_changed', 'command_updated')),
    source_id  bigint not null,
    data       jsonb not null check (jsonb_typeof(data) = 'object'),
    created_at timestamptz not null default now(),
    txid       xid8 not null default pg_current_xact_id()
);
create index realtime_events_txid_idx on nezuko.realtime_events (txid, id);
create index realtime_events_created_brin on nezuko.realtime_events using brin (created_at);
comment on table nezuko.realtime_events is 'Outbox of realtime events for tables updated in place (bot_status, admin_commands): one row per change, with the row as it was. Pruned to 24 h and 10,000 rows per channel by bot.realtime_prune; verification_log and admin_logs are read directly.';
comment on column nezuko.realtime_events.source_id is 'bot_status.bot_instance_id or admin_commands.id of the changed row.';
comment on column nezuko.realtime_events.data is 'The changed row as JSON, the shape the API returns.';
comment on column nezuko.realtime_events.txid is 'Writing transaction: events are ordered by (txid, kind, id) and delivered only once older transactions have finished.';

-- Replay and the relay read events after a cursor in (txid, id) order.
-- On the ingest tables the index grows at its right edge only (txids rise),
-- like the primary key.
create index verification_log_txid_idx on nezuko.verification_log (txid, id);
create index admin_logs_txid_idx on nezuko.admin_logs (txid, id);

create table nezuko.realtime_retention (
    channel       text primary key check (channel in ('bot_status', 'commands')),
    pruned_txid   xid8 not null,
    pruned_id     bigint not null,
    pruned_at     timestamptz not null default now()
);
comment on table nezuko.realtime_retention is 'Newest outbox event pruned per channel: a client resuming from an older cursor gets a reset event instead of a replay with holes.';
