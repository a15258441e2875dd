-- One row per Spring Batch job known to the job repository: what the job metrics export.
-- Times are the repository's local timestamps (Spring Batch writes the JVM's local time).
select i.job_name,
       max(e.end_time) filter (where e.status = 'COMPLETED')                  as last_success,
       max(e.end_time) filter (where e.status = 'FAILED')                     as last_failure,
       count(*) filter (where e.status in ('STARTING', 'STARTED', 'STOPPING')) as running,
       count(*) filter (where e.status = 'COMPLETED')                         as completed,
       count(*) filter (where e.status = 'FAILED')                            as failed,
       count(*) filter (where e.status = 'STOPPED')                           as stopped,
       coalesce(sum(w.written), 0)                                            as rows_affected,
       (array_agg(extract(epoch from e.end_time - e.start_time) order by e.job_execution_id desc)
          filter (where e.end_time is not null and e.start_time is not null))[1] as last_duration
from chatbatch.batch_job_instance i
join chatbatch.batch_job_execution e on e.job_instance_id = i.job_instance_id
left join (select job_execution_id, sum(write_count) as written
           from chatbatch.batch_step_execution
           group by job_execution_id) w on w.job_execution_id = e.job_execution_id
group by i.job_name
order by i.job_name
