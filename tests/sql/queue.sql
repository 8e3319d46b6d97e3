-- The command queue in SQL: validation at INSERT, every transition as a
-- function, SKIP LOCKED claims, backoff, rescue, cancel, grants.
begin;
select plan(53);

-- Validation: plain INSERT and the API alike.
select throws_ok(
    $$insert into nezuko.admin_commands (command_type, payload) values ('explode', '{}')$$,
    '22023', 'unknown command type "explode"', 'a plain INSERT of an unknown type is refused with 22023');
select throws_ok(
    $$select api.enqueue_command('explode')$$,
    '22023', 'unknown command type "explode"', 'the API refuses an unknown type the same way');
select throws_ok(
    $$insert into nezuko.admin_commands (command_type, payload) values ('ban_user', '{"group_id": -100}')$$,
    '22023', 'ban_user payload: user_id is required', 'a missing field is named');
select throws_ok(
    $$select api.enqueue_command('ban_user', '{"group_id": -100, "user_id": -5}')$$,
    '22023', 'ban_user payload: user_id must be a Telegram user id (a positive whole number)', 'a bad user id is named');
select throws_ok(
    $$select api.enqueue_command('send_message', '{"group_id": -100, "text": "hi", "colour": 1}')$$,
    '22023', 'send_message payload: unknown field "colour"', 'an unknown field is refused');
select throws_ok(
    $$select api.enqueue_command('send_message', jsonb_build_object('group_id', -100, 'text', repeat('x', 4097)))$$,
    '22023', 'send_message payload: text must be a string of 1 to 4096 characters', 'a text over Telegram''s limit is refused');
select throws_ok(
    $$select api.enqueue_command('mute_user', '{"group_id": -100, "user_id": 5, "until_seconds": 10}')$$,
    '22023', null, 'a mute shorter than Telegram allows is refused');
select throws_ok(
    $$select api.enqueue_command('clear_cache', '{}')$$,
    '22023', 'clear_cache payload: give user_id, group_id or channel_id, or "all": true', 'clear_cache needs a scope');
select throws_ok(
    $$select api.enqueue_command('ban_user', '"x"')$$,
    '22023', 'ban_user payload must be a JSON object', 'a payload that is not an object is refused');
select throws_ok(
    $$update nezuko.admin_commands set payload = '{}' where false$$ || '; ' ||
    $$insert into nezuko.admin_commands (command_type, payload) values ('leave_group', '{"group_id": 0}')$$,
    '22023', null, 'chat id 0 is refused');
select lives_ok(
    $$select api.enqueue_command('send_message', '{"group_id": -100, "text": "hello", "parse_mode": "HTML"}')$$,
    'a valid command is accepted');
select throws_ok(
    $$select api.enqueue_command('leave_group', '{"group_id": -100}', 987654)$$,
    '22023', 'bot instance 987654 does not exist', 'an unknown target bot is refused');

-- Enqueue: defaults from admin_config, idempotency.
update nezuko.admin_config set value = '7' where key = 'command_max_attempts';
select is((api.enqueue_command('leave_group', '{"group_id": -200}')).max_attempts, 7,
    'max_attempts defaults to admin_config command_max_attempts');
select is((api.enqueue_command('clear_cache', '{"all": true}', p_idempotency_key => 'once')).id,
          (api.enqueue_command('clear_cache', '{"all": true}', p_idempotency_key => 'once')).id,
    'the same idempotency key while pending returns the same command');
select is(count(*)::int, 1, 'and queues it once') from nezuko.admin_commands where idempotency_key = 'once';

-- A Telegram-side command without a bot goes to the bot protecting its group.
insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
values (555, 'b', 'x', sha256('555'::bytea));
insert into nezuko.protected_groups (group_id, bot_instance_id) values (-300, (select id from nezuko.bot_instances where bot_user_id = 555));
select is((api.enqueue_command('ban_user', '{"group_id": -300, "user_id": 9}')).bot_instance_id,
          (select id from nezuko.bot_instances where bot_user_id = 555),
    'a command for a protected group is bound to the group''s bot');

-- Claim: only due commands, for the worker's bots or none; counts an attempt.
delete from nezuko.admin_commands;
insert into nezuko.admin_commands (command_type, payload, run_after) values
    ('leave_group', '{"group_id": -1}', now() - interval '1 minute'),
    ('leave_group', '{"group_id": -2}', now() - interval '1 minute'),
    ('leave_group', '{"group_id": -3}', now() + interval '1 hour');
insert into nezuko.admin_commands (command_type, payload, bot_instance_id)
values ('leave_group', '{"group_id": -4}', (select id from nezuko.bot_instances where bot_user_id = 555));
select is(array_agg(payload->>'group_id' order by id), array['-1', '-2'],
    'a worker with no bot claims the due commands bound to no bot')
from bot.claim_commands('w1', '{}', 10, 30);
select is(count(*)::int, 2, 'claimed rows are running, leased to the worker, one attempt each')
from nezuko.admin_commands where status = 'running' and lease_owner = 'w1' and attempts = 1
  and lease_expires_at between now() + interval '29 seconds' and now() + interval '31 seconds' and started_at is not null;
select is(count(*)::int, 1, 'the worker running that bot claims its command')
from bot.claim_commands('w2', array[(select id from nezuko.bot_instances where bot_user_id = 555)], 10, 30);
select is(count(*)::int, 0, 'nothing else is due') from bot.claim_commands('w3', '{}', 10, 30);
select is(current_setting('nezuko.claimed'), '0', 'a claim says how many it took (nezuko.claimed), for the worker''s next-due question');
insert into nezuko.admin_commands (command_type, payload) values ('leave_group', '{"group_id": -9}');
select is(count(*)::int, 1, 'a full claim') from bot.claim_commands('w3', null, 1, 30);
select is(current_setting('nezuko.claimed'), '1', 'a full claim says so too');
-- updated_at: the claim sets it itself; any other UPDATE that leaves it alone gets now().
update nezuko.admin_commands set updated_at = '2000-01-01' where lease_owner = 'w3';
update nezuko.admin_commands set max_attempts = 7 where lease_owner = 'w3';
select is((select updated_at from nezuko.admin_commands where lease_owner = 'w3'), now(),
    'an UPDATE that leaves updated_at alone still sets it (set_updated_at)');
delete from nezuko.admin_commands where lease_owner = 'w3';

-- Complete: only by the lease owner.
select is(bot.complete_command((select min(id) from nezuko.admin_commands where status = 'running' and lease_owner = 'w1'), 'intruder', '{}'),
    null, 'another worker cannot complete a command it does not hold');
select is(bot.complete_command((select min(id) from nezuko.admin_commands where status = 'running' and lease_owner = 'w1'), 'w1', '{"done": 1}'),
    'completed', 'the lease owner completes it');
select is(count(*)::int, 1, 'completed: result stored, lease cleared, finished_at set')
from nezuko.admin_commands where status = 'completed' and result = '{"done": 1}' and lease_owner is null and finished_at is not null;

-- A failed Bot API call in the result is a failed attempt, decided in SQL.
select is(bot.complete_command((select min(id) from nezuko.admin_commands where status = 'running' and lease_owner = 'w1'), 'w1',
    '{"calls": [{"method": "leaveChat", "ok": false, "error_code": 429, "description": "Too Many Requests"}]}'),
    'pending', 'a 429 from Telegram makes a retry');

-- Fail: exponential backoff from admin_config, then failed.
delete from nezuko.admin_commands;
update nezuko.admin_config set value = '5' where key = 'command_retry_backoff_seconds';
update nezuko.admin_config set value = '12' where key = 'command_retry_backoff_max_seconds';
insert into nezuko.admin_commands (command_type, payload, max_attempts) values ('leave_group', '{"group_id": -1}', 4);
do $$ begin perform bot.claim_commands('w', '{}', 1, 30); end $$;
select is(bot.fail_command((select id from nezuko.admin_commands), 'w', 'boom 1'), 'pending', 'a first failure goes back to pending');
select ok((select run_after between now() + interval '4.9 seconds' and now() + interval '5.1 seconds' from nezuko.admin_commands),
    'after the base backoff (5 s)');
update nezuko.admin_commands set run_after = now();
do $$ begin perform bot.claim_commands('w', '{}', 1, 30); end $$;
do $$ begin perform bot.fail_command((select id from nezuko.admin_commands), 'w', 'boom 2'); end $$;
select ok((select run_after between now() + interval '9.9 seconds' and now() + interval '10.1 seconds' from nezuko.admin_commands),
    'the backoff doubles (10 s)');
update nezuko.admin_commands set run_after = now();
do $$ begin perform bot.claim_commands('w', '{}', 1, 30); end $$;
do $$ begin perform bot.fail_command((select id from nezuko.admin_commands), 'w', 'boom 3'); end $$;
select ok((select run_after between now() + interval '11.9 seconds' and now() + interval '12.1 seconds' from nezuko.admin_commands),
    'and is capped by command_retry_backoff_max_seconds');
update nezuko.admin_commands set run_after = now();
do $$ begin perform bot.claim_commands('w', '{}', 1, 30); end $$;
select is(bot.fail_command((select id from nezuko.admin_commands), 'w', 'boom 4'), 'failed', 'the last attempt fails for good');
select is((select status || '/' || attempts || '/' || error from nezuko.admin_commands), 'failed/4/boom 4',
    'failed keeps the attempts and the last error');
insert into nezuko.admin_commands (command_type, payload) values ('leave_group', '{"group_id": -1}');
do $$ begin perform bot.claim_commands('w', '{}', 1, 30); end $$;
select is(bot.fail_command((select max(id) from nezuko.admin_commands), 'w', 'chat not found', false), 'failed',
    'a failure that cannot improve fails at once');

-- Rescue: an expired lease goes back to pending, or to failed after its last attempt.
delete from nezuko.admin_commands;
select is(bot.next_command_due(null), null, 'nothing pending: null (the worker sleeps), not 0 (due now)');
insert into nezuko.admin_commands (command_type, payload, max_attempts) values
    ('leave_group', '{"group_id": -1}', 3), ('leave_group', '{"group_id": -2}', 1), ('leave_group', '{"group_id": -3}', 3);
do $$ begin perform bot.claim_commands('dead', '{}', 3, 30); end $$;
update nezuko.admin_commands set lease_expires_at = now() - interval '1 second' where payload->>'group_id' in ('-1', '-2');
select is(bot.rescue_expired_commands(), 2, 'two expired leases are rescued');
select is(array_agg(status order by id), array['pending', 'failed', 'running'],
    'back to pending, failed after its only attempt, the live lease untouched') from nezuko.admin_commands;
select is((select error from nezuko.admin_commands where payload->>'group_id' = '-1'),
    'lease expired: worker dead stopped answering', 'the rescue says why');
select is(bot.complete_command((select id from nezuko.admin_commands where payload->>'group_id' = '-1'), 'dead', '{}'),
    null, 'the vanished worker cannot complete it afterwards');
select is(array(select bot.renew_command_leases('dead', array(select id from nezuko.admin_commands order by id), 60)),
    array[(select id from nezuko.admin_commands where payload->>'group_id' = '-3')],
    'renewal extends only the leases still held');
select is(bot.next_command_due('{}'), 0::double precision, 'a pending command is due now');

-- Cancel: pending only.
select is((api.cancel_command((select id from nezuko.admin_commands where payload->>'group_id' = '-1'))).status, 'cancelled',
    'a pending command is cancelled');
create function pg_temp.err(q text) returns text language plpgsql as $f$
declare st text; h text;
begin
    execute q;
    return 'no error';
exception when others then
    get stacked diagnostics st = returned_sqlstate, h = pg_exception_hint;
    return st || ' ' || coalesce(h, '');
end $f$;
select is(pg_temp.err(format('select api.cancel_command(%s)', (select id from nezuko.admin_commands where payload->>'group_id' = '-3'))),
    'P0001 http:409', 'a running command cannot be cancelled: 409 for the API');
select is(pg_temp.err('select api.cancel_command(-1)'), 'P0001 http:404', 'an unknown command: 404 for the API');

-- clear_cache runs in SQL.
insert into nezuko.membership_cache (channel_id, user_id, member_status, is_member, expires_at)
values (-1001, 1, 'member', true, now() + interval '1 hour'), (-1001, 2, 'member', true, now() + interval '1 hour');
insert into nezuko.admin_commands (command_type, payload) values ('clear_cache', '{"user_id": 1}');
do $$ begin perform bot.claim_commands('w', '{}', 10, 30); end $$;
select is(bot.execute_command((select id from nezuko.admin_commands where command_type = 'clear_cache'), 'w'), 'completed',
    'clear_cache executes and completes in SQL');
select is((select count(*)::int from nezuko.membership_cache), 1, 'only that user''s cache rows are gone');

-- A worker that can act as any bot (p_bots null) claims bot-bound commands too.
insert into nezuko.admin_commands (command_type, payload, bot_instance_id)
values ('leave_group', '{"group_id": -9}', (select id from nezuko.bot_instances where bot_user_id = 555));
select is(count(*)::int, 1, 'p_bots null claims a command bound to any bot') from bot.claim_commands('any', null, 10, 30);

-- Listing.
select is((select total from api.list_commands(p_status => 'cancelled')), 1::bigint, 'list_commands counts the matches');
select throws_ok($$select * from api.list_commands(p_limit => 0)$$, '22023', null, 'list_commands refuses a zero limit');

-- Grants: mutations to admins, reads to viewers, bot.* to the bridge.
select ok(has_function_privilege('nezuko_admin', 'api.enqueue_command(text, jsonb, bigint, timestamptz, integer, text)', 'execute')
    and not has_function_privilege('nezuko_viewer', 'api.enqueue_command(text, jsonb, bigint, timestamptz, integer, text)', 'execute')
    and not has_function_privilege('nezuko_viewer', 'api.cancel_command(bigint)', 'execute'),
    'only admins may enqueue or cancel');
select ok(has_function_privilege('nezuko_viewer', 'api.list_commands(nezuko.command_status, text, bigint, nezuko.command_page_limit, nezuko.page_offset)', 'execute'),
    'viewers may list');
select ok(has_function_privilege('nezuko_bridge', 'bot.claim_commands(text, bigint[], integer, integer)', 'execute')
    and not has_function_privilege('nezuko_admin', 'bot.claim_commands(text, bigint[], integer, integer)', 'execute'),
    'only the bridge may claim');

select * from finish();
rollback;
