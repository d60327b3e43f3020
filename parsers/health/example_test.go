package health_test

import (
	"fmt"
	"time"

	"github.com/agtriage/agtriage/parsers/health"
)

func ExampleInterpret() {
	payload := `<queryProcessing maxWorkers="512" workersCreated="512" workersIdle="0" pendingTasks="215"
		oldestPendingTaskWaitingTime="68000" hasUnresolvableDeadlockOccurred="0" hasDeadlockedSchedulersOccurred="1"
		trackingNonYieldingScheduler="0x0"/>`
	s, err := health.Interpret("query_processing", health.StateError, payload)
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Text)
	fmt.Println(health.FailsOver(3, s.Component, s.State), health.FailsOver(5, s.Component, s.State))
	fmt.Println(health.Verdict(&s, 3, time.Date(2024, 11, 14, 14, 2, 10, 0, time.UTC)))
	// Output:
	// query_processing error: deadlocked schedulers; 512 of 512 workers in use; oldest pending task waited 68 s (215 pending tasks)
	// false true
	// query_processing reported deadlocked schedulers at 14:02:10 UTC; at failure_condition_level 3 this does not fail the availability group over (it takes level 5)
}
