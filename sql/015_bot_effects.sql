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

-- Telegram's answer "I could not check" is an answer too: kept briefly so a
-- channel the bot cannot see costs one call per TTL, not one per message.
alter table nezuko.membership_cache
    add column error_type text,
    drop constraint membership_cache_member_status_check,
    add constraint membership_cache_member_status_check
        check (member_status in ('creator', 'administrator', 'member', 'restricted', 'left', 'kicked', 'error')),
    add constraint membership_cache_error_has_type check ((member_status = 'error') = (error_type is not null));
comment on column nezuko.membership_cache.error_type is
    'For member_status error: why Telegram could not answer (bot_not_admin, chat_not_found, ...); kept membership_cache_ttl_error_seconds; the group''s fail_mode decides meanwhile.';

-- The intent, not the outcome: muted = the bot wants this member muted;
-- muted_at = Telegram confirmed it.
alter table nezuko.group_restrictions add column muted_at timestamptz;
comment on column nezuko.group_restrictions.muted is 'The bot decided to mute this member here (the restrictChatMember effect may still be pending: see muted_at).';
comment on column nezuko.group_restrictions.muted_at is 'When Telegram confirmed the mute; null while the effect is pending.';

-- Health follows Telegram's answers: the heartbeat carries the counts of the
-- last minute's bad answers and SQL (bot.heartbeat) decides online /
-- degraded / error.
alter table nezuko.bot_status add column status_reason text;
comment on column nezuko.bot_status.status_reason is 'Why the bot is degraded or in error (token refused, repeated 429/5xx/timeouts), from the answers Telegram gave during the last heartbeat interval.';

insert into nezuko.admin_config (key, value, value_type, min_value, max_value, description) values
    ('membership_cache_ttl_error_seconds', '30', 'integer', 0, 3600,
     'How long a failed membership check (the bot cannot see a channel''s members) is remembered: one getChatMember per channel and user per this many seconds, not one per message. fail_mode decides meanwhile.'),
    ('effect_lease_seconds', '30', 'integer', 5, 3600,
     'How long an executor holds a claimed Bot API effect before another may take it over (renewed while it waits for the chat''s rate limit).'),
    ('effect_max_attempts', '6', 'integer', 1, 100,
     'Attempts of an effect that meets 5xx or timeouts (with backoff and jitter) before it fails visibly. 429 answers wait their retry_after and never count.'),
    ('bot_degraded_errors', '3', 'integer', 1, 10000,
     'Transient Telegram errors (429, 5xx, timeouts) within a minute that turn a bot''s status to degraded.')
on conflict (key) do nothing;
