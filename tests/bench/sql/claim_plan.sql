-- Effect claims and answers whose plans were cached on a nearly empty
-- outbox, once a raid has filled it (issue 12). It empties the outbox
-- (VACUUM, so the table has no pages when the plans are made, as on a
-- fresh or quiet system): run it only against a migrated scratch database,
-- e.g. on the local cluster:
--   createdb -h 127.0.0.1 -p "$(cat .pgdata/nezuko.port)" -U postgres plan_bench
--   DATABASE_URL=postgres://postgres@127.0.0.1:$(cat .pgdata/nezuko.port)/plan_bench bin/nezuko migrate
--   psql -X postgres://postgres@127.0.0.1:$(cat .pgdata/nezuko.port)/plan_bench -f tests/bench/sql/claim_plan.sql
-- Before 2026-12-03 a session that first claimed on an empty outbox kept a
-- plan that read the whole outbox per chat: 445–635 ms a claim and ~5 ms an
-- answer at 20,000 pending effects (two runs on 1e30fff); 7–9 ms and
-- ~0.2 ms with the plans of functions/bot/effects/claim_effects.sql and
-- report_effect.sql (2 cores, psql \timing).
\set QUIET on
delete from nezuko.bot_effects;
vacuum nezuko.bot_effects;
insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
values (-777, 'plan_bench', 'x', sha256('-777'::bytea)) on conflict do nothing;
\set QUIET off
\echo 'plans cached on a nearly empty outbox: two effects claimed and answered'
select bot.enqueue_effects((select id from nezuko.bot_instances where bot_user_id = -777),
    '{"calls": [{"method": "deleteMessage", "params": {"chat_id": -3999999, "message_id": 1}},
                {"method": "deleteMessage", "params": {"chat_id": -3999999, "message_id": 2}}]}');
select count(*) from bot.report_effect((select id from bot.claim_effects('plan_bench', array[(select id from nezuko.bot_instances where bot_user_id = -777)], 256, 30)), 'plan_bench', '{"ok": true, "result": true}');
select count(*) from bot.report_effect((select id from nezuko.bot_effects where lease_owner = 'plan_bench' and status = 'running'), 'plan_bench', '{"ok": true, "result": true}');
\echo 'a raid: 20,000 deletes over 200 chats'
select bot.enqueue_effects((select id from nezuko.bot_instances where bot_user_id = -777),
    jsonb_build_object('calls', (select jsonb_agg(jsonb_build_object('method', 'deleteMessage', 'params',
        jsonb_build_object('chat_id', -3000000 - (i % 200), 'message_id', i))) from generate_series(1, 20000) i)));
\timing on
\echo 'a claim (one head per chat: 200)'
select count(*) as claimed from bot.claim_effects('plan_bench', array[(select id from nezuko.bot_instances where bot_user_id = -777)], 256, 30);
\echo '200 answers, one by one (each hands back its chat''s next effect)'
select count(*) as answered from (select (select count(*) from bot.report_effect(id, 'plan_bench', '{"ok": true, "result": true}'))
    from nezuko.bot_effects where lease_owner = 'plan_bench' and status = 'running') x;
\timing off
delete from nezuko.bot_effects;
