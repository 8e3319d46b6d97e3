-- analytics.pct: a percentage 0-100 with one decimal; 0 over zero events.
create function analytics.pct(p_part numeric, p_whole numeric) returns numeric
language sql immutable parallel safe as $$
    select case when coalesce(p_whole, 0) = 0 then 0.0 else round(100.0 * coalesce(p_part, 0) / p_whole, 1) end
$$;
comment on function analytics.pct(numeric, numeric) is 'Share in percent with one decimal; 0 when the whole is 0.';
