-- analytics.histogram_p95: the nearest-rank 95th percentile of one latency
-- histogram given as arrays (buckets ascending, nulls last, and their
-- counts): the first bucket whose running count reaches 95 % of the total,
-- reported by analytics.latency_bucket_value. A loop over at most ~120
-- elements: per day of a 90-day trend this is several times cheaper than
-- unnesting every histogram and running window sums over the rows.
create function analytics.histogram_p95(p_buckets smallint[], p_counts bigint[]) returns numeric
language plpgsql immutable parallel safe as $$
declare
    v_total float8 := 0;  -- float8: exact for counts under 2^53, cheaper than numeric
    v_cum float8 := 0;
    v_need float8;
    i integer;
begin
    for i in 1 .. coalesce(array_length(p_counts, 1), 0) loop
        v_total := v_total + p_counts[i];
    end loop;
    if v_total <= 0 then
        return null;
    end if;
    v_need := ceil(0.95 * v_total);
    for i in 1 .. array_length(p_counts, 1) loop
        v_cum := v_cum + p_counts[i];
        if v_cum >= v_need then
            return analytics.latency_bucket_value(p_buckets[i]);
        end if;
    end loop;
    return null;
end
$$;
comment on function analytics.histogram_p95(smallint[], bigint[]) is
    'Nearest-rank p95 (ms, the bucket''s geometric middle) of a latency histogram given as ascending buckets and their counts; null when empty.';
