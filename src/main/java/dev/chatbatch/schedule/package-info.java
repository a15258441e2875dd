/**
 * Quartz schedules of the maintenance jobs: {@link dev.chatbatch.schedule.Schedules} installs one cron
 * trigger per enabled job of {@code jobs/maintenance.yml} in the clustered JDBC job store
 * ({@code chatbatch.qrtz_*}), and {@link dev.chatbatch.schedule.MaintenanceQuartzJob} runs a fire through
 * {@link dev.chatbatch.batch.JobRunner}, so "already running" holds across instances. {@link dev.chatbatch.schedule.ScheduleViews} shows the
 * schedules from the store's table without a scheduler.
 *
 * <p>Misfire policy: a fire missed while no instance ran (or later than
 * {@code org.quartz.jobStore.misfireThreshold}) fires once as soon as an instance is up, not once per
 * missed slot (MISFIRE_INSTRUCTION_FIRE_ONCE_NOW). Depends on {@code maintenance}, {@code batch} and
 * the root package.
 */
package dev.chatbatch.schedule;
