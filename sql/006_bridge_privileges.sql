-- Baseline 6 of 6: least privilege for `nezuko serve`.
--
-- serve logs in as a role that is only a member of nezuko_bridge: no
-- superuser, owns nothing (README, "Two logins"). migrate keeps running as
-- the owner of the schemas and tables. Most bot.* functions are SECURITY
-- INVOKER (rules read like plain SQL, and the functions package is
-- reinstalled whole), so nezuko_bridge holds table privileges rather than
-- every function being a definer: a new bot.* function needs no change
-- here, only its EXECUTE grant to nezuko_bridge, as today.
--
-- What the bridge does with each table:
-- - reads the registries and settings;
-- - runs the bots: their state (bot_status, memberships, restrictions,
--   processed update ids, scheduled deletions, groups and channels it
--   learns about) is read and written by bot.* functions;
-- - writes the event logs (verification_log, api_call_log, admin_logs by
--   COPY), and through the invoker triggers on them the rollups and the
--   realtime outbox (an UPDATE or DELETE of a rollup key happens when the
--   triggers fold rows in);
-- - never reads API tokens, accounts or the audit log (auth.* and the
--   audit trigger are SECURITY DEFINER): no grant there.
--
-- The role itself (NOINHERIT, member of nezuko_viewer and nezuko_admin
-- for the per-request switch) is set up in 001_roles_and_schemas.sql.

grant usage on schema nezuko to nezuko_bridge;

-- Registries, settings and the schema's version (/readyz).
grant select on nezuko.admin_config, nezuko.command_types, nezuko.code_packages, nezuko.schema_version,
    nezuko.owners, nezuko.realtime_retention, nezuko.bot_texts, nezuko.group_settings
    to nezuko_bridge;
-- SSE tickets and login failures are only reached through SECURITY DEFINER
-- functions (auth.*): no grant.

-- Bots and what they enforce.
grant select, insert, update, delete on
    nezuko.bot_instances, nezuko.bot_status, nezuko.bot_scheduled_deletions,
    nezuko.protected_groups, nezuko.enforced_channels, nezuko.group_channel_links,
    nezuko.group_restrictions, nezuko.membership_cache, nezuko.processed_updates,
    nezuko.admin_commands, nezuko.bot_alive_minutes, nezuko.bot_effects
    to nezuko_bridge;

-- Event logs: appended to (and read back by the realtime relay); pruning
-- is bot.prune_logs_batch's, a definer.
grant select, insert on nezuko.verification_log, nezuko.api_call_log, nezuko.admin_logs
    to nezuko_bridge;

-- What the invoker triggers on the logs and on bot_status / admin_commands
-- maintain: analytics rollups, first-seen tables, the realtime outbox.
grant select, insert, update, delete on
    nezuko.api_call_hourly, nezuko.api_call_hourly_all,
    nezuko.verification_hourly, nezuko.verification_hourly_all, nezuko.verification_daily_all,
    nezuko.verification_group_totals,
    nezuko.verification_latency_daily, nezuko.verification_latency_daily_all,
    nezuko.verification_latency_hourly_all,
    nezuko.new_users_hourly, nezuko.new_users_hourly_all,
    nezuko.user_first_seen, nezuko.group_user_first_seen,
    nezuko.verification_latency_quarter_all, nezuko.new_users_daily_all, nezuko.new_users_daily,
    nezuko.realtime_events
    to nezuko_bridge;

grant usage, select on all sequences in schema nezuko to nezuko_bridge;
