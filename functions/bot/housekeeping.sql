-- bot.housekeeping: forgets processed update ids after a day (Telegram
-- does not redeliver older ones) and membership answers long expired.
create function bot.housekeeping() returns void
language sql as $$
    delete from nezuko.processed_updates where processed_at < now() - interval '1 day';
    delete from nezuko.membership_cache where expires_at < now() - interval '1 hour';
$$;
grant execute on function bot.housekeeping() to nezuko_bridge;
