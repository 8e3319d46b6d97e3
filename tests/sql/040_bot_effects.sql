-- The effect outbox in SQL: a decision writes its calls as effects in its
-- own transaction; claims take one effect per chat, in id order, under a
-- lease; answers move the member's state; 429 and 5xx retry, other
-- refusals fail and are kept; an interrupted send ends as unknown, never
-- sent twice; failed membership checks are cached; health follows answers.
begin;
select plan(57);

insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
values (4242, 'effects_bot', 'x', sha256('4242'::bytea));
create temp table b as select id from nezuko.bot_instances where bot_user_id = 4242;
insert into nezuko.protected_groups (group_id, bot_instance_id, title) values (-1001, (select id from b), 'G1'), (-1002, (select id from b), 'G2');

-- A decision's calls become effects of that transaction, in order, with
-- their outcomes attached to the call they name.
select is(bot.enqueue_effects((select id from b), $${
    "calls": [
        {"method": "deleteMessage", "params": {"chat_id": -1001, "message_id": 5}},
        {"method": "restrictChatMember", "params": {"chat_id": -1001, "user_id": 7, "permissions": {}}},
        {"method": "sendMessage", "params": {"chat_id": -1001, "text": "join"}}],
    "record": [
        {"kind": "mute", "group_id": -1001, "user_id": 7, "call": 1},
        {"kind": "prompt", "group_id": -1001, "user_id": 7, "call": 2},
        {"kind": "autodelete", "chat_id": -1001, "call": 2, "seconds": 60}]}$$, 'update:1'), 3,
    'enqueue_effects writes one effect per call');
select results_eq(
    $$select method, repeatable, jsonb_array_length(outcome) from nezuko.bot_effects where chat_id = -1001 order by id$$,
    $$values ('deleteMessage', true, 0), ('restrictChatMember', true, 1), ('sendMessage', false, 2)$$,
    'in call order; a send is not repeatable; each record joins the outcome of its call');
select is((select outcome->0->>'kind' from nezuko.bot_effects where method = 'restrictChatMember'), 'mute',
    'the mute record travels with the restrict');
select is((select bot.enqueue_effects((select id from b), '{"calls": [{"method": "sendMessage", "params": {"chat_id": -1002, "text": "x"}}]}', 'update:2')), 1,
    'a second chat gets its own lane');
select throws_ok($$select bot.enqueue_effects(null, '{"calls": []}')$$, '22023', null, 'an effect needs a bot');
select throws_ok($$select bot.enqueue_effects((select id from b), '{"calls": {}}')$$, '22023', null, 'calls must be an array');

-- Claims: one per chat, the head of each chat, under a lease.
create temp table c1 as select * from bot.claim_effects('w1', array[(select id from b)], 10, 30);
select results_eq($$select method, chat_id from c1 order by chat_id$$,
    $$values ('sendMessage', -1002::bigint), ('deleteMessage', -1001::bigint)$$,
    'a claim takes the head of each chat, never two of one chat');
select is((select count(*)::int from bot.claim_effects('w2', array[(select id from b)], 10, 30)), 0,
    'a chat whose head is running yields nothing to another worker');
select is((select count(*)::int from bot.claim_effects('w2', array[-5::bigint], 10, 30)), 0,
    'only the given bots'' effects are claimed');
select is((select lease_owner from nezuko.bot_effects where id = (select id from c1 where chat_id = -1001)), 'w1',
    'the claim holds a lease');

-- An answer from a worker that lost the lease is ignored.
select is((select count(*)::int from bot.report_effect((select id from c1 where chat_id = -1001), 'w2', '{"ok": true}')), 0,
    'a report from a worker that does not hold the effect changes nothing');
select is((select status from nezuko.bot_effects where id = (select id from c1 where chat_id = -1001)), 'running',
    'and the effect is still running');

-- Done: the chat's next effect comes back claimed in the same call.
insert into nezuko.group_restrictions (group_id, user_id, bot_instance_id, muted, prompted_at)
values (-1001, 7, (select id from b), true, now());
create temp table n1 as select * from bot.report_effect((select id from c1 where chat_id = -1001), 'w1', '{"ok": true, "result": true}');
select is((select method from n1), 'restrictChatMember', 'report_effect hands back the chat''s next effect');
select is((select lease_owner from nezuko.bot_effects where id = (select id from n1)), 'w1', 'claimed for the same worker');
select is((select status from nezuko.bot_effects where method = 'deleteMessage' and chat_id = -1001), 'done', 'the first is done');
select is((select muted_at from nezuko.group_restrictions where group_id = -1001 and user_id = 7), null,
    'a mute is only an intent before Telegram answers');

-- 429: back to pending after retry_after, the attempt not counted, the chat waits.
select is((select count(*)::int from bot.report_effect((select id from n1), 'w1',
    '{"ok": false, "error_code": 429, "error_type": "too_many_requests", "retry_after": 8, "description": "Too Many Requests: retry after 8"}')), 0,
    'a 429 hands back nothing: the chat waits');
select ok((select status = 'pending' and attempts = 0 and run_after > now() + interval '7 seconds'
           from nezuko.bot_effects where id = (select id from n1)),
    'a 429 puts the effect back for retry_after, the attempt not counted');
select is((select count(*)::int from bot.claim_effects('w1', array[(select id from b)], 10, 30) where chat_id = -1001), 0,
    'the chat''s later effects do not overtake the waiting one');
select ok(bot.next_effect_due(array[(select id from b)]) between 7 and 8, 'next_effect_due says when it is due');

-- Due again: the mute succeeds and is confirmed; the prompt follows.
update nezuko.bot_effects set run_after = now() where id = (select id from n1);
create temp table c2 as select * from bot.claim_effects('w1', array[(select id from b)], 10, 30) where chat_id = -1001;
select is((select id from c2), (select id from n1), 'once due, the same effect is claimed again');
create temp table n2 as select * from bot.report_effect((select id from c2), 'w1', '{"ok": true, "result": true}');
select isnt((select muted_at from nezuko.group_restrictions where group_id = -1001 and user_id = 7), null,
    'Telegram''s OK confirms the mute (muted_at)');
select is((select method from n2), 'sendMessage', 'the prompt comes next');

-- Rescue: a send in flight when its executor vanished ends as unknown.
select ok(bot.effect_calling((select id from n2), 'w1'), 'a send is marked in flight before it goes out');
select ok(not bot.effect_calling((select id from n2), 'w9'), 'only by the worker that holds it');
update nezuko.bot_effects set lease_expires_at = now() - interval '1 second' where id = (select id from n2);
select is(bot.rescue_effects(), 1, 'an expired lease is rescued');
select results_eq($$select status, error_type from nezuko.bot_effects where id = (select id from n2)$$,
    $$values ('unknown', 'outcome_unknown')$$, 'an interrupted send is never sent again: unknown');
select ok((select prompted_at is not null and prompt_message_id is null from nezuko.group_restrictions
           where group_id = -1001 and user_id = 7),
    'an unknown prompt keeps prompted_at: no second prompt before prompt_repeat_seconds');

-- A repeatable effect whose executor vanished is simply pending again.
select bot.enqueue_effects((select id from b), '{"calls": [{"method": "deleteMessage", "params": {"chat_id": -1003, "message_id": 1}}]}');
create temp table c3 as select * from bot.claim_effects('w1', array[(select id from b)], 10, 30) where chat_id = -1003;
update nezuko.bot_effects set lease_expires_at = now() - interval '1 second' where id = (select id from c3);
select is(bot.rescue_effects(), 1, 'a vanished executor''s delete is rescued');
select is((select status from nezuko.bot_effects where id = (select id from c3)), 'pending', 'and pending again');

-- Release: a stopping executor hands back what it did not call.
create temp table c4 as select * from bot.claim_effects('w1', array[(select id from b)], 10, 30) where chat_id = -1003;
select is(bot.release_effects('w1', array[(select id from c4)]), 1, 'a claimed, uncalled effect is handed back');
select ok((select status = 'pending' and lease_owner is null from nezuko.bot_effects where id = (select id from c4)),
    'pending again, at once');

-- A new owner of the bot takes over, at once, what another worker holds.
insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
values (4343, 'other_bot', 'x', sha256('4343'::bytea));
create temp table b2 as select id from nezuko.bot_instances where bot_user_id = 4343;
select bot.enqueue_effects((select id from b2), '{"calls": [{"method": "deleteMessage", "params": {"chat_id": -1004, "message_id": 1}},
                                                           {"method": "deleteMessage", "params": {"chat_id": -1005, "message_id": 1}}]}');
create temp table c4b as select * from bot.claim_effects('w1', array[(select id from b2)], 1, 600);
create temp table c4c as select * from bot.claim_effects('w2', array[(select id from b2)], 1, 600);
select is(bot.rescue_effects((select id from b2), 'w2'), 1, 'the bot''s new owner takes over a live lease of another worker');
select is((select status from nezuko.bot_effects where id = (select id from c4b)), 'pending', 'without waiting for it to expire');
select is((select lease_owner from nezuko.bot_effects where id = (select id from c4c)), 'w2', 'and leaves its own alone');

-- Leases are renewed only for their holder.
create temp table c5 as select * from bot.claim_effects('w1', array[(select id from b)], 10, 5) where chat_id = -1003;
select is((select count(*)::int from bot.renew_effect_leases('w2', array[(select id from c5)], 60)), 0, 'another worker cannot renew');
select is((select count(*)::int from bot.renew_effect_leases('w1', array[(select id from c5)], 60)), 1, 'the holder renews');

-- 5xx: retried with backoff, then failed and kept, visibly.
update nezuko.bot_effects set max_attempts = attempts + 1 where id = (select id from c5);
select bot.report_effect((select id from c5), 'w1', '{"ok": false, "error_code": 500, "error_type": "server_error", "description": "Internal Server Error"}');
select ok((select status = 'pending' and run_after > now() from nezuko.bot_effects where id = (select id from c5)),
    'a 5xx is retried after a backoff');
update nezuko.bot_effects set run_after = now() where id = (select id from c5);
create temp table c6 as select * from bot.claim_effects('w1', array[(select id from b)], 10, 30) where chat_id = -1003;
select bot.report_effect((select id from c6), 'w1', '{"ok": false, "error_code": 500, "error_type": "server_error", "description": "Internal Server Error"}');
select results_eq($$select status, error_type, error_code from nezuko.bot_effects where id = (select id from c6)$$,
    $$values ('failed', 'server_error', 500)$$, 'out of attempts, it fails with its class kept');
select is((select count(*)::int from nezuko.admin_logs where logger = 'effects' and level = 'ERROR'
           and attributes->>'effect_id' = (select id::text from c6)), 1, 'and an ERROR log (a new_log event) says so');
select is((select count(*)::int from nezuko.bot_effects where chat_id = -1003 and status in ('pending', 'running')), 0,
    'a failed effect no longer blocks its chat');

-- A missing right: the group's health names it.
select bot.enqueue_effects((select id from b), '{"calls": [{"method": "restrictChatMember", "params": {"chat_id": -1002, "user_id": 8, "permissions": {}}}],
                                                "record": [{"kind": "mute", "group_id": -1002, "user_id": 8, "call": 0}]}');
insert into nezuko.group_restrictions (group_id, user_id, bot_instance_id, muted) values (-1002, 8, (select id from b), true);
create temp table c7 as select * from bot.report_effect((select id from c1 where chat_id = -1002), 'w1', '{"ok": true, "result": {"message_id": 1}}');
select bot.report_effect((select id from c7), 'w1', '{"ok": false, "error_code": 400, "error_type": "not_enough_rights", "description": "Bad Request: not enough rights to restrict/unrestrict chat member"}');
select is((select status from nezuko.bot_effects where id = (select id from c7)), 'failed', 'a refusal is not retried');
select ok((select muted from nezuko.group_restrictions where group_id = -1002 and user_id = 8) = false,
    'a refused mute leaves the member not on file as muted');
select bot.log_api_calls(jsonb_build_array(jsonb_build_object('bot_instance_id', (select id from b), 'method', 'restrictChatMember',
    'chat_id', -1002, 'user_id', 8, 'success', false, 'latency_ms', 40, 'error_type', 'not_enough_rights',
    'description', 'Bad Request: not enough rights to restrict/unrestrict chat member', 'ts', now())));
select results_eq($$select health, health_reason like 'the bot lacks the right "Ban users"%' from nezuko.protected_groups where group_id = -1002$$,
    $$values ('error', true)$$, 'the refusal, logged, turns the group''s health to error naming the missing right');

-- Failed membership checks are cached for membership_cache_ttl_error_seconds.
select bot.store_answers('[{"chat_id": -1009, "user_id": 7, "error_type": "bot_not_admin", "error": "member list is inaccessible"}]');
select is(bot.member_state(-1009, 7, '[]', false), '{"error": "bot_not_admin", "cached": true, "latency": 0}'::jsonb,
    'a failed check is answered from the cache: no second call');
select ok((select expires_at between now() + interval '29 seconds' and now() + interval '31 seconds'
           from nezuko.membership_cache where channel_id = -1009 and user_id = 7),
    'for membership_cache_ttl_error_seconds');

-- Calls into no chat (callback answers) have no order: all due ones are claimed at once.
select bot.enqueue_effects((select id from b), '{"calls": [{"method": "answerCallbackQuery", "params": {"callback_query_id": "1"}},
                                                          {"method": "answerCallbackQuery", "params": {"callback_query_id": "2"}}]}');
select is((select count(*)::int from bot.claim_effects('w1', array[(select id from b)], 10, 30) where chat_id = 0), 2,
    'chatless effects are claimed together, never one behind another');

-- Health follows Telegram's answers.
select is(bot.heartbeat((select id from b), 'online', now(), null, 'i1', '{"telegram": {"transient": 0, "unauthorized": 1, "last_error": "getUpdates: 401 Unauthorized"}}'), 30,
    'heartbeat answers the interval');
select results_eq($$select status, status_reason like 'Telegram refuses the bot''s token%' from nezuko.bot_status where bot_instance_id = (select id from b)$$,
    $$values ('error', true)$$, 'a refused token turns the bot to error, with the reason');
select bot.heartbeat((select id from b), 'online', now(), null, 'i1', '{"telegram": {"transient": 5, "unauthorized": 0, "window_seconds": 60}}');
select is((select status from nezuko.bot_status where bot_instance_id = (select id from b)), 'degraded',
    'repeated transient errors turn it to degraded');
select bot.heartbeat((select id from b), 'offline', now(), null, 'i2', '{}');
select is((select status from nezuko.bot_status where bot_instance_id = (select id from b)), 'degraded',
    'another instance stopping does not mark the bot offline');

-- Many answers in one transaction (the executor's group commit): each is
-- recorded as report_effect records it alone; each chat's next effect comes
-- back beside the answer it follows; a send's answer keeps the commit
-- synchronous, a batch of idempotent answers commits asynchronously.
select bot.enqueue_effects((select id from b), '{"calls": [
    {"method": "deleteMessage", "params": {"chat_id": -1003, "message_id": 1}},
    {"method": "deleteMessage", "params": {"chat_id": -1003, "message_id": 2}},
    {"method": "deleteMessage", "params": {"chat_id": -1004, "message_id": 3}},
    {"method": "sendMessage", "params": {"chat_id": -1005, "text": "hi"}}]}');
create temp table rb as select * from bot.claim_effects('w9', array[(select id from b)], 10, 30) where chat_id in (-1003, -1004, -1005);
select is((select count(*)::int from rb), 3, 'report_effects fixture: one head per chat claimed');
set local synchronous_commit = on; -- earlier reports in this transaction turned it off
create temp table rb2 as select * from bot.report_effects('w9', jsonb_build_array(
    jsonb_build_object('id', (select id from rb where chat_id = -1003), 'result', '{"ok": true, "result": true}'::jsonb),
    jsonb_build_object('id', (select id from rb where chat_id = -1004), 'result', '{"ok": false, "error_code": 500, "error_type": "server_error", "description": "x"}'::jsonb),
    jsonb_build_object('id', (select id from rb where chat_id = -1005), 'result', '{"ok": true, "result": {"message_id": 77}}'::jsonb)));
select results_eq($$select answered_id = (select id from rb where chat_id = -1003), chat_id, params->>'message_id' from rb2$$,
    $$values (true, -1003::bigint, '2')$$,
    'report_effects hands back the next effect of each chat that has one, beside the answer it follows');
select results_eq($$select chat_id, status from nezuko.bot_effects where id in (select id from rb) order by chat_id desc$$,
    $$values (-1003::bigint, 'done'), (-1004::bigint, 'pending'), (-1005::bigint, 'done')$$,
    'each answer of the batch is recorded as report_effect records it (done, retry after a 5xx, done)');
select is(current_setting('synchronous_commit'), 'on', 'a batch holding a send''s answer commits synchronously');
select bot.report_effects('w9', jsonb_build_array(jsonb_build_object('id', (select id from rb2), 'result', '{"ok": true, "result": true}'::jsonb)));
select is(current_setting('synchronous_commit'), 'off', 'a batch of idempotent answers commits asynchronously');
select throws_ok($$select * from bot.report_effects('w9', '{}')$$, '22023', null, 'report_effects wants an array of answers');

select * from finish();
rollback;
