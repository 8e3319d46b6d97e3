-- bot.housekeeping: forgets processed update ids after a day (Telegram
-- does not redeliver older ones), membership answers long expired, and
-- finished effects after a day (the logs keep the calls' history).
create function bot.housekeeping() returns void
language sql as $$
    delete from nezuko.processed_updates where processed_at < now() - interval '1 day';
    delete from nezuko.membership_cache where expires_at < now() - interval '1 hour';
    delete from nezuko.bot_effects where finished_at < now() - interval '1 day';
$$;
grant execute on function bot.housekeeping() to nezuko_bridge;
