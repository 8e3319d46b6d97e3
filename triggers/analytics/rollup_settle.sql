-- triggers.rollup_settle: after a rollup took negative counts (deleted log
-- rows, a first-seen time moved earlier), drop the keys whose count reached
-- 0 and refuse a count below 0: that means a log row was removed that the
-- rollup never counted (e.g. written with triggers disabled), and every
-- answer from this rollup would be wrong. Both use the partial index
-- "where n <= 0" of each rollup table, so they cost nothing when all is well.
create function triggers.rollup_settle(p_table regclass) returns void
language plpgsql as $$
declare
    v_bad boolean;
begin
    execute format('select exists (select from %s where n < 0)', p_table) into v_bad;
    if v_bad then
        raise exception 'analytics rollup % has a negative count: it no longer matches its log', p_table
            using errcode = '55000',
                  hint = 'Repair it with: select nezuko.rebuild_analytics_rollups();';
    end if;
    execute format('delete from %s where n = 0', p_table);
end
$$;
