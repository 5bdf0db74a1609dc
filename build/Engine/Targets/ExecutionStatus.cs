namespace BuildEngine;

public enum ExecutionStatus
{
    None,
    Scheduled,
    Running,
    Succeeded,
    Failed,
    Skipped,
    NotRun,
    Aborted,
    Collective,
}
