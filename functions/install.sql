-- The functions code package: every function of schemas api, bot and auth.
--
-- `nezuko migrate` installs it whole in one transaction after the migrations
-- whenever its content changed: the schemas are dropped and created again,
-- so a function removed from a file is gone too. Nothing but functions and
-- their result types may live in these schemas. Table constraints and
-- defaults never call functions from here (a drop ... cascade would remove
-- them silently); such helpers live in schema nezuko, managed by migrations.
--
-- Conventions (see README.md, "SQL conventions"):
-- - one function per file, named after it: api/get_top_groups.sql defines api.get_top_groups;
-- - api functions are security definer with a pinned search_path, since the
--   API roles have no rights on the tables; each file grants EXECUTE to the
--   roles that may call it (STABLE ones to nezuko_viewer, VOLATILE ones to
--   nezuko_admin only); EXECUTE is revoked from PUBLIC at the end;
-- - each area below has its own block, so independent changes do not collide.

drop schema if exists api cascade;
drop schema if exists bot cascade;
drop schema if exists auth cascade;

create schema api;
comment on schema api is 'The public functions: exactly what the REST API exposes (/v1/rpc/{function}). Installed from functions/api.';
create schema bot;
comment on schema bot is 'Procedures the Go bridge calls: update handling, membership, queue, heartbeat. Installed from functions/bot.';
create schema auth;
comment on schema auth is 'Token and login checks used by the bridge before a request runs as its caller''s role. Installed from functions/auth.';

grant usage on schema api to nezuko_viewer, nezuko_admin;
-- The bridge sends each API call in one pgx batch with auth.begin_request,
-- which switches the role: the call is parsed before the switch, so the
-- bridge (NOINHERIT, sql/001_roles_and_schemas.sql) must see schema api. EXECUTE is checked after
-- the switch, as the caller's role.
grant usage on schema api to nezuko_bridge;
grant usage on schema bot to nezuko_bridge;
grant usage on schema auth to nezuko_bridge;

-- Block: auth (API tokens and login).
{{ template "auth/hash_token.sql" . }}
{{ template "auth/authenticate.sql" . }}
{{ template "auth/create_token.sql" . }}
{{ template "auth/statement_timeout_ms.sql" . }}
{{ template "auth/begin_request.sql" . }}
{{ template "auth/token_caller.sql" . }}
{{ template "auth/begin_read_request.sql" . }}
{{ template "auth/touch_tokens.sql" . }}
{{ template "auth/login.sql" . }}
{{ template "auth/revoke_token.sql" . }}
{{ template "auth/create_ticket.sql" . }}
{{ template "auth/authenticate_ticket.sql" . }}
{{ template "auth/invalid_tokens.sql" . }}
-- End block: auth.

-- Shared helpers other blocks' SQL functions call (an SQL-language body is
-- checked at creation, so what it calls must exist first).
{{ template "bot/ops/config_int.sql" . }}
{{ template "bot/ops/live_status.sql" . }}

-- Block: analytics RPCs.
-- Schema analytics: internal helpers of the api functions (window and
-- parameter checks, rollup readers, the latency histogram's buckets, the
-- rollups' repair tool). Not exposed: the api functions reach it as
-- security definer; nezuko_bridge may use the schema only for the two
-- helpers the rollup triggers (which run as the log's writer) call, each
-- granted in its file.
-- Schema demo: the demo data generator (nezuko seed), owner only.
drop schema if exists analytics cascade;
drop schema if exists demo cascade;
create schema analytics;
comment on schema analytics is 'Internal helpers of the api functions: parameter checks, readers of the rollup tables, the latency histogram buckets, the rollups'' repair tool. Installed from functions/analytics; nezuko_bridge may call only latency_bucket and histogram_add (the rollup triggers).';
grant usage on schema analytics to nezuko_bridge;
create schema demo;
comment on schema demo is 'Demo data generator (demo.generate, used by nezuko seed). Installed from functions/demo; owner only.';
{{ template "analytics/check_page.sql" . }}
{{ template "analytics/latency_bucket.sql" . }}
{{ template "analytics/latency_bucket_value.sql" . }}
{{ template "analytics/histogram_add.sql" . }}
{{ template "analytics/rebuild_analytics_rollups.sql" . }}
{{ template "analytics/period.sql" . }}
{{ template "analytics/granularity.sql" . }}
{{ template "analytics/time_zone.sql" . }}
{{ template "analytics/pct.sql" . }}
{{ template "analytics/hour_ceil.sql" . }}
{{ template "analytics/day_ceil.sql" . }}
{{ template "analytics/hour_floor.sql" . }}
{{ template "analytics/cuts_every_hour.sql" . }}
{{ template "analytics/head_from_rollup.sql" . }}
{{ template "analytics/rollup_from.sql" . }}
{{ template "analytics/buckets.sql" . }}
{{ template "analytics/verification_counts.sql" . }}
{{ template "analytics/day24_plan.sql" . }}
{{ template "analytics/verification_buckets.sql" . }}
{{ template "analytics/latency_histogram.sql" . }}
{{ template "analytics/latency_buckets.sql" . }}
{{ template "analytics/histogram_p95.sql" . }}
{{ template "analytics/api_call_counts.sql" . }}
{{ template "analytics/users_before.sql" . }}
{{ template "demo/generate.sql" . }}
{{ template "api/get_dashboard_stats.sql" . }}
{{ template "api/get_chart_data.sql" . }}
{{ template "api/get_verification_trends.sql" . }}
{{ template "api/get_user_growth.sql" . }}
{{ template "api/get_analytics_overview.sql" . }}
{{ template "api/get_verification_distribution.sql" . }}
{{ template "api/get_cache_breakdown.sql" . }}
{{ template "api/get_groups_status.sql" . }}
{{ template "api/get_api_calls_distribution.sql" . }}
{{ template "api/get_hourly_activity.sql" . }}
{{ template "api/get_latency_distribution.sql" . }}
{{ template "api/get_top_groups.sql" . }}
{{ template "api/get_cache_hit_rate_trend.sql" . }}
{{ template "api/get_latency_trend.sql" . }}
{{ template "api/get_bot_health.sql" . }}
revoke execute on all functions in schema analytics, demo from public;
-- End block: analytics RPCs.

-- Block: admin API.
{{ template "api/types/protected_group.sql" . }}
{{ template "api/types/enforced_channel.sql" . }}
{{ template "api/types/config_entry.sql" . }}
{{ template "api/types/admin_log_entry.sql" . }}
{{ template "api/types/audit_entry.sql" . }}
{{ template "api/types/bot_instance.sql" . }}
{{ template "api/types/admin_user.sql" . }}
{{ template "api/types/api_token.sql" . }}
{{ template "api/types/group_setting.sql" . }}
{{ template "api/list_groups.sql" . }}
{{ template "api/get_group.sql" . }}
{{ template "api/update_group.sql" . }}
{{ template "api/list_group_settings.sql" . }}
{{ template "api/list_channels.sql" . }}
{{ template "api/link_channel.sql" . }}
{{ template "api/unlink_channel.sql" . }}
{{ template "api/list_config.sql" . }}
{{ template "api/get_config.sql" . }}
{{ template "api/update_config.sql" . }}
{{ template "api/list_admin_logs.sql" . }}
{{ template "api/list_audit_log.sql" . }}
{{ template "api/get_bot.sql" . }}
{{ template "api/list_bots.sql" . }}
{{ template "api/set_bot_active.sql" . }}
{{ template "api/list_admin_users.sql" . }}
{{ template "api/create_admin_user.sql" . }}
{{ template "api/deactivate_admin_user.sql" . }}
{{ template "api/set_admin_user_role.sql" . }}
{{ template "api/list_api_tokens.sql" . }}
{{ template "api/revoke_api_token.sql" . }}
{{ template "bot/ops/register_bot.sql" . }}
{{ template "bot/ops/set_update_mode.sql" . }}
-- End block: admin API.

-- Block: command queue.
{{ template "api/enqueue_command.sql" . }}
{{ template "api/cancel_command.sql" . }}
{{ template "api/list_commands.sql" . }}
{{ template "bot/queue/validate_command.sql" . }}
{{ template "bot/queue/claim_commands.sql" . }}
{{ template "bot/queue/renew_command_leases.sql" . }}
{{ template "bot/queue/complete_command.sql" . }}
{{ template "bot/queue/fail_command.sql" . }}
{{ template "bot/queue/complete_commands.sql" . }}
{{ template "bot/queue/rescue_expired_commands.sql" . }}
{{ template "bot/queue/next_command_due.sql" . }}
{{ template "bot/queue/queue_metrics.sql" . }}
{{ template "bot/queue/schedule_prune_logs.sql" . }}
{{ template "bot/queue/prune_logs_batch.sql" . }}
{{ template "bot/queue/finish_prune_logs.sql" . }}
{{ template "bot/queue/clear_membership_cache.sql" . }}
{{ template "bot/queue/execute_command.sql" . }}
{{ template "bot/queue/plan_command.sql" . }}
{{ template "bot/queue/resume_unmute_command.sql" . }}
{{ template "bot/ops/heartbeat.sql" . }}
-- End block: command queue.

-- Block: realtime.
{{ template "bot/realtime/realtime_events.sql" . }}
{{ template "bot/realtime/realtime_backlog.sql" . }}
{{ template "bot/realtime/realtime_start.sql" . }}
{{ template "bot/realtime/realtime_replay_allowed.sql" . }}
{{ template "bot/realtime/realtime_prune.sql" . }}
-- End block: realtime.

-- Block: enforcement (bot).
{{ template "bot/texts/html_escape.sql" . }}
{{ template "bot/enforce/settings.sql" . }}
{{ template "bot/texts/text.sql" . }}
{{ template "bot/texts/user_language.sql" . }}
{{ template "bot/texts/group_language.sql" . }}
{{ template "bot/enforce/is_subscribed.sql" . }}
{{ template "bot/enforce/mute_permissions.sql" . }}
{{ template "bot/enforce/answer_for.sql" . }}
{{ template "bot/enforce/member_state.sql" . }}
{{ template "bot/enforce/group_permissions.sql" . }}
{{ template "bot/effects/send_call.sql" . }}
{{ template "bot/texts/channel_button_url.sql" . }}
{{ template "bot/effects/reply_call.sql" . }}
{{ template "bot/effects/merge_plans.sql" . }}
{{ template "bot/enforce/cache_membership.sql" . }}
{{ template "bot/enforce/store_answers.sql" . }}
{{ template "bot/enforce/enforced_settings.sql" . }}
{{ template "bot/enforce/enforce_checks.sql" . }}
{{ template "bot/enforce/release.sql" . }}
{{ template "bot/enforce/release_group.sql" . }}
{{ template "bot/effects/prompt_call.sql" . }}
{{ template "bot/enforce/enforce.sql" . }}
{{ template "bot/enforce/migrate_group.sql" . }}
{{ template "bot/commands/command_protected_group.sql" . }}
{{ template "bot/commands/command_help.sql" . }}
{{ template "bot/commands/command_protect.sql" . }}
{{ template "bot/commands/command_unprotect.sql" . }}
{{ template "bot/commands/command_status.sql" . }}
{{ template "bot/commands/command_settings.sql" . }}
{{ template "bot/commands/on_command.sql" . }}
{{ template "bot/enforce/on_sender_chat.sql" . }}
{{ template "bot/enforce/on_new_members.sql" . }}
{{ template "bot/enforce/on_message.sql" . }}
{{ template "bot/enforce/on_callback.sql" . }}
{{ template "bot/enforce/on_chat_member.sql" . }}
{{ template "bot/enforce/on_join_request.sql" . }}
{{ template "bot/enforce/on_my_chat_member.sql" . }}
{{ template "bot/effects/enqueue_effects.sql" . }}
{{ template "bot/effects/apply_outcome.sql" . }}
{{ template "bot/effects/note_group_health.sql" . }}
{{ template "bot/effects/claim_effects.sql" . }}
{{ template "bot/effects/next_effect_due.sql" . }}
{{ template "bot/effects/effect_calling.sql" . }}
{{ template "bot/effects/renew_effect_leases.sql" . }}
{{ template "bot/effects/release_effects.sql" . }}
{{ template "bot/effects/rescue_effects.sql" . }}
{{ template "bot/effects/report_effect.sql" . }}
{{ template "bot/effects/report_effects.sql" . }}
{{ template "bot/updates/decide.sql" . }}
{{ template "bot/updates/write_verifications.sql" . }}
{{ template "bot/updates/handle_updates.sql" . }}
{{ template "bot/updates/handle_update.sql" . }}
{{ template "bot/updates/resume_updates.sql" . }}
{{ template "bot/updates/resume_update.sql" . }}
{{ template "bot/updates/finish_update.sql" . }}
{{ template "bot/enforce/resume_reverify.sql" . }}
{{ template "bot/enforce/reverify.sql" . }}
{{ template "bot/ops/log_api_calls.sql" . }}
{{ template "bot/effects/due_deletions.sql" . }}
{{ template "bot/ops/housekeeping.sql" . }}
{{ template "bot/ops/active_bots.sql" . }}
{{ template "bot/ops/bot_token.sql" . }}
{{ template "bot/ops/rate_limits.sql" . }}
-- End block: enforcement (bot).

-- Functions are executable by PUBLIC unless revoked; only the grants in the
-- files above decide who may call what.
revoke execute on all functions in schema api, bot, auth from public;

insert into nezuko.code_packages (name, sha256) values ('functions', '{{ .sha256 }}')
on conflict (name) do update set sha256 = excluded.sha256, installed_at = now();

-- Doorbell for running bridges: reload the API catalog and drop cached plans.
select pg_notify('nezuko_reload', 'functions');
