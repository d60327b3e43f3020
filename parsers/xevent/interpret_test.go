package xevent

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xe"
)

// TestInterpretMatchesReader checks that Interpret, given the Name, Time and
// Fields the XML reader read, rebuilds exactly the event the reader emitted.
func TestInterpretMatchesReader(t *testing.T) {
	doc := `<events>
<event name="availability_replica_state_change" package="sqlserver" timestamp="2024-03-12T07:14:03.020Z"><data name="previous_state"><value>1</value><text>PRIMARY_NORMAL</text></data><data name="current_state"><value>2</value><text>RESOLVING_NORMAL</text></data><data name="availability_group_id"><value>A90ED7BC-E890-20EE-CA01-02DE2A60FB74</value></data><data name="availability_group_name"><value>AG1</value></data><data name="availability_replica_id"><value>02447832-E0DA-B3C8-80DA-4ACE30DC82C5</value></data><data name="availability_replica_name"><value>SQLAG01</value></data></event>
<event name="error_reported" package="sqlserver" timestamp="2024-03-12T07:14:02.310Z"><data name="error_number"><value>41048</value></data><data name="severity"><value>10</value></data><data name="state"><value>1</value></data><data name="user_defined"><value>false</value></data><data name="category"><value>2</value><text>SERVER</text></data><data name="destination"><value>0x00000002</value><text>USER</text></data><data name="is_intercepted"><value>false</value></data><data name="message"><value><![CDATA[Always On Availability Groups: Local Windows Server Failover Clustering service has become unavailable. This is an informational message only. No user action is required.]]></value></data></event>
<event name="alwayson_ddl_executed" package="sqlserver" timestamp="2024-03-12T07:20:00.000Z"><data name="ddl_action"><value>1</value><text>alter</text></data><data name="ddl_phase"><value>1</value><text>commit</text></data><data name="statement"><value>ALTER AVAILABILITY GROUP [AG1] FORCE_FAILOVER_ALLOW_DATA_LOSS;</value></data><data name="availability_group_id"><value>A90ED7BC-E890-20EE-CA01-02DE2A60FB74</value></data><data name="availability_group_name"><value>AG1</value></data></event>
<event name="some_other_event" package="sqlserver" timestamp="2024-03-12T07:21:00.000Z"><data name="x"><value>1</value></data></event>
</events>`
	r := NewReader(bytes.NewReader([]byte(doc)), "t.xml")
	n := 0
	for ev, err := range r.Events() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		got := &parsers.Event{
			Time: ev.Time, Clock: ev.Clock, Source: ev.Source, File: ev.File, Line: ev.Line, Offset: ev.Offset,
			Name: ev.Name, Fields: append([]parsers.Field(nil), ev.Fields...),
		}
		xe.Interpret(got)
		if !reflect.DeepEqual(got, ev) {
			t.Errorf("event %d %s:\n got %+v\nwant %+v", n, ev.Name, got, ev)
		}
		if ev.Kind == "" || ev.Message == "" {
			t.Errorf("event %d %s: Kind %q Message %q not filled", n, ev.Name, ev.Kind, ev.Message)
		}
	}
	if n != 4 {
		t.Fatalf("%d events, want 4", n)
	}
}
