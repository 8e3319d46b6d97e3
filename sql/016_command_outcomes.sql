-- Issue 14, item 2: a command's outcome is never guessed twice.
--
-- A worker that dies (kill -9, lost network, PostgreSQL crash) after handing
-- a command to Telegram leaves an attempt whose outcome nobody knows: the
-- message may or may not have been sent. Re-running it is right for effects
-- that may repeat (a second ban is a no-op) and wrong for the others (a
-- second message). So each command type says whether its effect may repeat,
-- each attempt records when it was handed to Telegram, and a rescue of an
-- attempt whose outcome is unknown re-runs only repeatable commands; the
-- others end with status 'unknown' (and, like every status change, a
-- command_updated event), for a human to look at.

alter table nezuko.command_types
    add column repeatable boolean not null default false;
comment on column nezuko.command_types.repeatable is
    'True when running the command twice has the effect of running it once (ban, restrict, re-verify, sync, leave, '
    'clear the cache): an attempt whose outcome is unknown is then simply re-run. False (send a message): such an '
    'attempt ends the command with status unknown instead of risking a second effect.';
update nezuko.command_types set repeatable = name in
    ('ban_user', 'unban_user', 'mute_user', 'unmute_user', 'sync_group', 'sync_channel', 'leave_group', 'clear_cache');

alter table nezuko.admin_commands
    drop constraint admin_commands_status_check,
    add constraint admin_commands_status_check
        check (status in ('pending', 'running', 'completed', 'failed', 'cancelled', 'unknown')),
    drop constraint finished_has_time,
    add constraint finished_has_time
        check (status not in ('completed', 'failed', 'cancelled', 'unknown') or finished_at is not null),
    add column dispatched_at timestamptz;
comment on column nezuko.admin_commands.status is
    'pending -> running -> completed | failed (or back to pending for a retry); cancelled while pending; '
    'unknown: an attempt of a command that may not repeat was handed to Telegram and its worker never reported '
    'what happened (see command_types.repeatable). The worker that made the attempt may still settle it.';
comment on column nezuko.admin_commands.dispatched_at is
    'When the running attempt was handed to Telegram (bot.plan_command sets it, committed before any Bot API call); '
    'null while the attempt has not reached Telegram, so a rescue may re-run it whatever its type.';
