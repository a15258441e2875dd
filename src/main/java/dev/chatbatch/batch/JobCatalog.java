package dev.chatbatch.batch;

import dev.chatbatch.NotFoundException;
import org.springframework.batch.core.job.Job;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names of the jobs this runner has. In the full context they are the names of its {@link Job} beans;
 * the read-only commands' context, which builds no jobs, gives the same names from the job packages'
 * constants ({@link #of}).
 */
@Component
public class JobCatalog {

    private final Set<String> names;

    @Autowired
    JobCatalog(List<Job> jobs) {
        this(jobs.stream().map(Job::getName).toList());
    }

    private JobCatalog(Collection<String> names) {
        this.names = Collections.unmodifiableSet(new TreeSet<>(names));
    }

    /** A catalog of these names, for a context without job beans. */
    public static JobCatalog of(Collection<String> names) {
        return new JobCatalog(names);
    }

    /** Every job's name, sorted. */
    public Set<String> names() {
        return names;
    }

    /** {@code name} when it is a job of this runner; otherwise not found, listing the launchable jobs. */
    public String require(String name) {
        if (!names.contains(name)) {
            throw new NotFoundException("unknown job '" + name + "'; launchable jobs: "
                    + String.join(", ", JobParameterInput.launchable(names)));
        }
        return name;
    }
}
