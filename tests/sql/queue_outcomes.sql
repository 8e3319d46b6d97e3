-- A command's outcome is never guessed twice (issue 14): an attempt that
-- reached Telegram and whose worker vanished is re-run only when the
-- command type may repeat; otherwise the command ends as 'unknown', with a
-- command_updated event, and the worker that made the attempt may still
-- settle it.
begin;
select plan(18);

insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
values (556, 'b', 'x', sha256('556'::bytea));
insert into nezuko.protected_groups (group_id, bot_instance_id)
values (-400, (select id from nezuko.bot_instances where bot_user_id = 556));

select is(array(select name from nezuko.command_types where not repeatable order by name), array['send_message'],
    'only send_message may not repeat');

delete from nezuko.admin_commands;
insert into nezuko.admin_commands (command_type, payload) values
    ('send_message', '{"group_id": -400, "text": "sent"}'),      -- handed to Telegram, then the worker died
    ('ban_user', '{"group_id": -400, "user_id": 9}'),             -- same, but a ban may repeat
    ('send_message', '{"group_id": -400, "text": "not yet"}');   -- claimed, never planned
select is(count(*)::int, 3, 'three commands claimed') from bot.claim_commands('dead', null, 10, 30);
select is((select count(*)::int from bot.plan_command((select id from nezuko.admin_commands where payload->>'text' = 'sent')) p
           where p.bot_instance_id is not null), 1, 'plan_command hands out the plan with its bot');
do $$ begin perform bot.plan_command((select id from nezuko.admin_commands where command_type = 'ban_user')); end $$;
select is(array(select dispatched_at is not null from nezuko.admin_commands order by id), array[true, true, false],
    'handing out a plan marks the attempt dispatched');

update nezuko.admin_commands set lease_expires_at = now() - interval '1 second';
select is(bot.rescue_expired_commands(), 3, 'the three expired leases are settled');
select is(array(select status from nezuko.admin_commands order by id), array['unknown', 'pending', 'pending'],
    'a dispatched message is not re-run; a ban and an undispatched message are');
select ok((select error like 'outcome unknown: worker dead stopped answering after handing the command to Telegram%'
           and finished_at is not null and lease_owner = 'dead'
           from nezuko.admin_commands where payload->>'text' = 'sent'),
    'unknown says why, is finished, and remembers its worker');
select ok((select dispatched_at is null from nezuko.admin_commands where command_type = 'ban_user'),
    'a re-queued attempt forgets its dispatch');
select is((select array_agg((e.command).status order by e.id) from nezuko.realtime_events e
           where e.source_id = (select id from nezuko.admin_commands where payload->>'text' = 'sent')),
    array['pending', 'running', 'unknown'], 'the unknown status is published as command_updated');
select is((api.cancel_command((select id from nezuko.admin_commands where payload->>'text' = 'not yet'))).status, 'cancelled',
    'a re-queued command may be cancelled');

-- The worker that made the attempt reports late: its answer settles it.
select is(bot.complete_command((select id from nezuko.admin_commands where payload->>'text' = 'sent'), 'intruder', '{}'),
    null, 'another worker cannot settle an unknown command');
select is(bot.complete_commands('dead', jsonb_build_array(jsonb_build_object(
        'id', (select id from nezuko.admin_commands where payload->>'text' = 'sent'),
        'result', '{"calls": [{"method": "sendMessage", "ok": true}]}'::jsonb)))::int,
    (select id from nezuko.admin_commands where payload->>'text' = 'sent')::int,
    'its own worker''s late report completes it');

-- A failed call whose outcome is unknown (no answer, 5xx) does not retry a message.
delete from nezuko.admin_commands;
insert into nezuko.admin_commands (command_type, payload) values
    ('send_message', '{"group_id": -400, "text": "timeout"}'),
    ('send_message', '{"group_id": -400, "text": "429"}'),
    ('ban_user', '{"group_id": -400, "user_id": 9}');
do $$ begin perform bot.claim_commands('w', null, 10, 30); end $$;
do $$ declare r record; begin
    for r in select id from nezuko.admin_commands loop perform bot.plan_command(r.id); end loop;
end $$;
select is(bot.complete_command((select id from nezuko.admin_commands where payload->>'text' = 'timeout'), 'w',
    '{"calls": [{"method": "sendMessage", "ok": false, "error_code": 0, "description": "no answer"}]}'),
    'unknown', 'sendMessage with no answer: unknown, not retried');
select is(bot.complete_command((select id from nezuko.admin_commands where payload->>'text' = '429'), 'w',
    '{"calls": [{"method": "sendMessage", "ok": false, "error_code": 429, "description": "Too Many Requests"}]}'),
    'pending', 'sendMessage refused with 429 (certainly not sent): retried');
select is(bot.complete_command((select id from nezuko.admin_commands where command_type = 'ban_user'), 'w',
    '{"calls": [{"method": "banChatMember", "ok": false, "error_code": 502, "description": "Bad Gateway"}]}'),
    'pending', 'a ban with an unknown outcome is retried (it may repeat)');
select is((select error from nezuko.admin_commands where payload->>'text' = 'timeout'),
    'outcome unknown (not re-run, send_message may not repeat): sendMessage: no answer', 'the error says why');


-- A report retried after its answer was lost belongs to its attempt only.
delete from nezuko.admin_commands;
insert into nezuko.admin_commands (command_type, payload) values ('send_message', '{"group_id": -400, "text": "retry"}');
do $$ begin perform bot.claim_commands('w', null, 1, 30); end $$;
do $$ begin perform bot.fail_command((select id from nezuko.admin_commands), 'w', 'plan failed', true, false, 1); end $$;
update nezuko.admin_commands set run_after = now();
do $$ begin perform bot.claim_commands('w', null, 1, 30); perform bot.plan_command((select id from nezuko.admin_commands)); end $$;
select is(bot.fail_command((select id from nezuko.admin_commands), 'w', 'plan failed', true, false, 1), null,
    'the same failure reported again does not touch attempt 2');
select is((select count(*)::int from bot.complete_commands('w', jsonb_build_array(jsonb_build_object(
    'id', (select id from nezuko.admin_commands), 'attempt', 1, 'result', '{}'::jsonb)))), 0,
    'nor does a result for attempt 1');

select * from finish();
rollback;
