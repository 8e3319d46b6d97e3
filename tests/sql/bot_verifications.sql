-- Verification rows: a decision returns them (its plan's "verifications"),
-- the entry point writes them, one INSERT per call (bot.write_verifications):
-- the statement-level rollup trigger on verification_log fires once per
-- batch. No session state decides where a row goes.
begin;
select plan(15);

insert into nezuko.bot_instances (id, bot_user_id, username, token_encrypted, token_sha256)
overriding system value values (1, 99, 'tbot', 'sealed', sha256('t'));
insert into nezuko.enforced_channels (channel_id, username, title) values (-1001, 'chan_a', 'Channel A'), (-1002, 'chan_b', 'Channel B');
-- Two groups alike: -500 decides as a batch, -600 one update at a time.
insert into nezuko.protected_groups (group_id, bot_instance_id, title, params)
values (-500, 1, 'G', '{"mode": "mute", "join_request_gating": true, "verify_on_join": true}'),
       (-600, 1, 'H', '{"mode": "mute", "join_request_gating": true, "verify_on_join": true}');
insert into nezuko.group_channel_links values (-500, -1001), (-500, -1002), (-600, -1001), (-600, -1002);
-- Cached: 42, 44, 45, 46 subscribed to both; 43 missing B (a plain group member).
select bot.cache_membership(c, u, 'member', true) from unnest(array[-1001, -1002]) c, unnest(array[42, 44, 45, 46]) u;
select bot.cache_membership(-1001, 43, 'member', true);
select bot.cache_membership(-1002, 43, 'left', false);
select bot.cache_membership(g, 43, 'member', true) from unnest(array[-500, -600]) g;

-- Every INSERT statement on verification_log, with its row count.
create temp table stmts (id serial, n integer);
create function pg_temp.count_insert() returns trigger language plpgsql as $$
begin
    insert into stmts (n) select count(*) from new_rows;
    return null;
end
$$;
create trigger zz_count_insert after insert on nezuko.verification_log
    referencing new table as new_rows for each statement execute function pg_temp.count_insert();

-- The updates: messages from 42 (verified) and 43 (missing B: muted and
-- prompted), two members joining (bot.on_new_members: merged plans), a
-- join request (bot.on_join_request), and a message in a chat the bot does
-- not protect (no check).
create function pg_temp.updates(p_group bigint, p_base bigint) returns jsonb language sql as $$
    select jsonb_build_array(
        jsonb_build_object('update_id', p_base + 1, 'message', jsonb_build_object('message_id', 1, 'text', 'hi',
            'chat', jsonb_build_object('id', p_group, 'type', 'supergroup'), 'from', '{"id": 42, "is_bot": false, "first_name": "A"}'::jsonb)),
        jsonb_build_object('update_id', p_base + 2, 'message', jsonb_build_object('message_id', 2, 'text', 'hi',
            'chat', jsonb_build_object('id', p_group, 'type', 'supergroup'), 'from', '{"id": 43, "is_bot": false, "first_name": "B"}'::jsonb)),
        jsonb_build_object('update_id', p_base + 3, 'message', jsonb_build_object('message_id', 3,
            'chat', jsonb_build_object('id', p_group, 'type', 'supergroup'), 'from', '{"id": 44, "is_bot": false, "first_name": "C"}'::jsonb,
            'new_chat_members', '[{"id": 44, "is_bot": false, "first_name": "C"}, {"id": 45, "is_bot": false, "first_name": "D"}]'::jsonb)),
        jsonb_build_object('update_id', p_base + 4, 'chat_join_request', jsonb_build_object(
            'chat', jsonb_build_object('id', p_group, 'type', 'supergroup'), 'from', '{"id": 46, "is_bot": false, "first_name": "E"}'::jsonb,
            'user_chat_id', 46, 'date', 1)),
        jsonb_build_object('update_id', p_base + 5, 'message', jsonb_build_object('message_id', 5, 'text', 'hello',
            'chat', '{"id": -999, "type": "supergroup"}'::jsonb, 'from', '{"id": 42, "is_bot": false, "first_name": "A"}'::jsonb)))
$$;
-- A group's rows, without what tells the two groups apart.
create function pg_temp.rows_of(p_group bigint) returns table (user_id bigint, channel_id bigint, status text, latency_ms integer,
                                                               cached boolean, error_type text)
language sql as $$
    select user_id, channel_id, status, latency_ms, cached, error_type from nezuko.verification_log
    where group_id = p_group order by user_id, channel_id
$$;

-- The batch: one statement, every row of every decision in it.
create temp table batch as select bot.handle_updates(1, pg_temp.updates(-500, 100)) as plans;
select is((select count(*)::int from stmts), 1, 'a batch writes its verification rows with one INSERT statement');
select is((select n from stmts), 10, 'with a row per channel of every decided user (42, 43, new members 44 and 45, join request 46)');
select is((select count(*)::int from nezuko.verification_log where group_id = -500 and status = 'restricted'), 1,
          'the missing channel is logged as restricted');
select is((select plans from batch), '[{}, {}, {}, {}, {}]'::jsonb,
          'the plans handed to the bridge carry no verifications (all decided: empty plans)');
select is((select array_agg(method order by id) from nezuko.bot_effects where source like 'update:10_'),
          array['restrictChatMember', 'sendMessage', 'approveChatJoinRequest'],
          'the decisions still wrote their effects (mute and prompt of 43, approval of 46)');

-- The same updates one at a time: one statement each, the same rows.
truncate stmts;
select bot.handle_update(1, u) from jsonb_array_elements(pg_temp.updates(-600, 200)) u;
select is((select array_agg(n order by id) from stmts), array[2, 2, 4, 2],
          'handle_update alone writes its own rows, one statement per update that has any');
select results_eq($$select * from pg_temp.rows_of(-600)$$, $$select * from pg_temp.rows_of(-500)$$,
                  'one update at a time writes the same rows as the batch');

-- A batch with no decision to log (a duplicate, an unprotected chat) writes nothing.
truncate stmts;
select is(bot.handle_updates(1, pg_temp.updates(-500, 100)), '[{"duplicate": true}, {"duplicate": true}, {"duplicate": true},
                                                            {"duplicate": true}, {"duplicate": true}]',
          'a redelivered batch: duplicates');
select is((select count(*)::int from stmts), 0, 'and no INSERT at all');

-- Resumed: checks first (nothing written), then the answers of two updates
-- in one bot.resume_updates call: one statement; the state handed to the
-- bridge carries no verifications.
truncate stmts;
create temp table asks as select bot.handle_updates(1, jsonb_build_array(
    jsonb_build_object('update_id', 301, 'message', '{"message_id": 1, "text": "hi", "chat": {"id": -500, "type": "supergroup"},
                                                      "from": {"id": 47, "is_bot": false, "first_name": "F"}}'::jsonb),
    jsonb_build_object('update_id', 302, 'callback_query', '{"id": "cb1", "data": "nzv:43", "from": {"id": 43, "is_bot": false, "first_name": "B"},
                                                             "message": {"message_id": 9, "chat": {"id": -500, "type": "supergroup"}}}'::jsonb))) as plans;
select is((select count(*)::int from stmts), 0, 'checks to answer: no verification row yet');
create temp table resumed as select bot.resume_updates(1, jsonb_build_array(
    jsonb_build_object('state', plans->0->'state', 'answers', '[{"chat_id": -1001, "user_id": 47, "status": "member", "latency_ms": 7},
                                                                {"chat_id": -1002, "user_id": 47, "status": "member", "latency_ms": 8}]'::jsonb),
    jsonb_build_object('state', plans->1->'state', 'answers', '[{"chat_id": -1001, "user_id": 43, "status": "member", "latency_ms": 5},
                                                                {"chat_id": -1002, "user_id": 43, "status": "member", "latency_ms": 6},
                                                                {"method": "getChat", "chat_id": -500, "result": {"permissions": {"can_send_messages": true}}}]'::jsonb)))
    as plans from asks;
select is((select array_agg(n) from stmts), array[4], 'two resumed updates (a message, an "I have joined" press): one statement, four rows');
select is((select plans from resumed), '[{}, {}]', 'the resumed plans carry no verifications');
select results_eq($$select user_id, channel_id, status, latency_ms, cached from nezuko.verification_log where user_id in (43, 47) and latency_ms > 0
                    order by user_id, channel_id$$,
                  $$values (43::bigint, -1002::bigint, 'verified', 6, false), (43, -1001, 'verified', 5, false),
                           (47, -1002, 'verified', 8, false), (47, -1001, 'verified', 7, false)$$,
                  'the rows are the answers'' (status, latency, not cached)');

-- The command queue's re-verify (bot.reverify, resumed by the executor)
-- writes its own rows, one statement.
truncate stmts;
select is((select bot.resume_reverify(1, bot.reverify(1, -500, 42)->'state',
                                      '[{"chat_id": -1001, "user_id": 42, "status": "member"},
                                        {"chat_id": -1002, "user_id": 42, "status": "left"},
                                        {"chat_id": -500, "user_id": 42, "status": "member"}]')->'state'->>'outcome'),
          'missing channels', 'bot.resume_reverify decides');
select is((select array_agg(n) from stmts), array[2], 'and writes its two rows in one statement');

select * from finish();
rollback;
