-- nezuko.histogram_add: two latency histograms (ascending buckets of
-- nezuko.latency_bucket and their counts, as the histogram rollups of
-- sql/012 keep them) added bucket by bucket, buckets whose sum is 0
-- dropped. The rollup trigger adds a statement's histogram to an existing
-- row with it (a negative one for deleted log rows). In a migration, not in
-- the triggers package: the package's drop-and-recreate must not take it
-- along while the tables' rows depend on its shape.
-- Returns one row; declared as a table so the planner inlines it.
create function nezuko.histogram_add(p_buckets smallint[], p_counts bigint[], p_add_buckets smallint[], p_add_counts bigint[])
returns table (buckets smallint[], counts bigint[])
language sql immutable parallel safe as $$
    select coalesce(array_agg(u.bucket order by u.bucket), '{}'), coalesce(array_agg(u.n order by u.bucket), '{}')
    from (select x.bucket, sum(x.n)::bigint as n
          from (select * from unnest(p_buckets, p_counts)
                union all select * from unnest(p_add_buckets, p_add_counts)) as x(bucket, n)
          group by 1 having sum(x.n) <> 0) as u
$$;
comment on function nezuko.histogram_add(smallint[], bigint[], smallint[], bigint[]) is
    'Two latency histograms (ascending buckets, counts) added bucket by bucket; buckets at 0 dropped.';
