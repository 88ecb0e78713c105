package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// hostileCase is one bad input: the command line ($D: the fixtures folder,
// $G and $W: the Genius and GeniusWeb test data, $B: the built-in
// scenario file), the exit status it must get, and what its message must
// say (the place: a file with its line, a flag, a key; and why).
type hostileCase struct {
	name string
	args string
	code int
	want []string
	// warn: exit 0 with these importer warnings on stderr (text) or in the
	// JSON "warnings" array (when the command has --json).
	warn bool
}

// hostileCases are at least one bad input per format and per command.
var hostileCases = []hostileCase{
	// The command line.
	{name: "NoCommand", args: "", code: 2, want: []string{"no command given"}},
	{name: "UnknownCommand", args: "analyse-this", code: 2, want: []string{`unknown command "analyse-this"`}},
	{name: "MisspeltCommand", args: "simulte", code: 2, want: []string{`unknown command "simulte" (did you mean "simulate"?)`}},
	{name: "HelpUnknown", args: "help nosuch", code: 2, want: []string{`unknown command "nosuch"`}},
	{name: "UnknownFlag", args: "analyze --jsonn", code: 2, want: []string{"analyze: unknown flag --jsonn (did you mean --json?)"}},
	{name: "UnknownFlagTournament", args: "tournament --rep 3 --out $D/t", code: 2, want: []string{"unknown flag --rep (did you mean --reps?)"}},
	{name: "RoundsZero", args: "simulate --rounds 0", code: 2, want: []string{"--rounds 0: must be at least 1"}},
	{name: "RoundsNegative", args: "simulate --rounds -3", code: 2, want: []string{"--rounds -3: must not be negative"}},
	{name: "RoundsText", args: "simulate --rounds abc", code: 2, want: []string{`--rounds "abc": expected a whole number`}},
	{name: "RoundsFloat", args: "simulate --rounds 1e3", code: 2, want: []string{`--rounds "1e3": expected a whole number`}},
	{name: "RoundsOverflow", args: "simulate --rounds 99999999999999999999", code: 2, want: []string{"--rounds", "out of range"}},
	{name: "RunsZero", args: "simulate --runs 0", code: 2, want: []string{"--runs 0: must be at least 1"}},
	{name: "RunsNegative", args: "simulate --runs=-5", code: 2, want: []string{"--runs -5: must not be negative"}},
	{name: "WorkersZero", args: "simulate --runs 2 --workers 0", code: 2, want: []string{"--workers 0: must be at least 1"}},
	{name: "SeedNegative", args: "simulate --seed -1", code: 2, want: []string{`--seed "-1": expected a whole number, 0 or more`}},
	{name: "TimeLimitNegative", args: "simulate --time-limit -1s", code: 2, want: []string{"--time-limit -1s: must not be negative"}},
	{name: "TimeLimitText", args: "simulate --time-limit soon", code: 2, want: []string{`--time-limit "soon": expected a duration`}},
	{name: "MaxNodesZero", args: "analyze --max-nodes 0", code: 2, want: []string{"--max-nodes 0: must be at least 1"}},
	{name: "MaxNodesNegative", args: "analyze --max-nodes -5", code: 2, want: []string{"--max-nodes -5: must not be negative"}},
	{name: "RealStepsZero", args: "analyze --real-steps 0 --genius $G/car-domain.xml $G/car-buyer.xml $G/car-seller.xml", code: 2, want: []string{"--real-steps 0: must be at least 1"}},
	{name: "RepsZero", args: "tournament --agents boulware,linear --scenarios istanbul-2025 --reps 0 --out $D/t", code: 2, want: []string{"--reps 0: must be at least 1"}},
	{name: "TournamentRoundsZero", args: "tournament --agents boulware,linear --scenarios istanbul-2025 --rounds 0 --out $D/t", code: 2, want: []string{"--rounds 0: must be at least 1"}},
	{name: "ExecNotFound", args: "simulate --agents exec:no-such-agent-program,boulware --genius $G/car-domain.xml $G/car-buyer.xml $G/car-seller.xml", code: 2, want: []string{`--agents: party`, `command "no-such-agent-program" not found on PATH`}},
	{name: "ExecNoCommand", args: "simulate --agents exec:,boulware --genius $G/car-domain.xml $G/car-buyer.xml $G/car-seller.xml", code: 2, want: []string{`"exec:" gives no command; write exec:COMMAND [ARGS...]`}},
	{name: "ExecMediatorNotFound", args: "simulate --protocol mediated --mediator exec:no-such-mediator-program", code: 2, want: []string{`--mediator: command "no-such-mediator-program" not found on PATH`}},
	{name: "TournamentExecNotFound", args: "tournament --agents boulware,exec:no-such-agent-program --scenarios istanbul-2025 --out $D/t", code: 2, want: []string{`agent exec:no-such-agent-program: command "no-such-agent-program" not found on PATH`}},
	{name: "TournamentTimeLimitZero", args: "tournament --agents boulware,linear --scenarios istanbul-2025 --time-limit 0s --out $D/t", code: 2, want: []string{"--time-limit must be positive, got 0s"}},
	{name: "TournamentWorkersNegative", args: "tournament --agents boulware,linear --scenarios istanbul-2025 --workers -1 --out $D/t", code: 2, want: []string{"--workers -1: must not be negative"}},
	{name: "BoolNotBool", args: "analyze --json=maybe", code: 2, want: []string{`--json "maybe": expected true or false`}},
	{name: "FlagWithoutValue", args: "analyze --variant", code: 2, want: []string{"--variant needs a value"}},
	{name: "MaxInputZero", args: "analyze --max-input-size 0", code: 2, want: []string{"--max-input-size", "out of range"}},
	{name: "MaxInputText", args: "analyze --max-input-size lots", code: 2, want: []string{"--max-input-size", `"lots" is not a size`}},
	{name: "ScenariosArgs", args: "scenarios extra", code: 2, want: []string{"scenarios takes no arguments"}},
	{name: "AgentsArgs", args: "agents extra", code: 2, want: []string{"agents takes no arguments"}},
	{name: "ReplayNothing", args: "replay", code: 2, want: []string{"replay needs one transcript file"}},
	{name: "ValidateNothing", args: "validate", code: 2, want: []string{"validate needs a scenario file"}},
	{name: "ConvertNoTarget", args: "convert", code: 2, want: []string{"convert needs --to"}},
	{name: "ConvertBadTarget", args: "convert --to pdf --out $D/c", code: 2, want: []string{`--to "pdf"`}},
	{name: "ConvertOutIsFile", args: "convert --to yaml --out $D/base.yaml", code: 2, want: []string{"cannot write --out", "base.yaml", "not a directory"}},
	{name: "TranscriptNoFolder", args: "simulate --transcript $D/no/such/t.jsonl", code: 2, want: []string{"cannot write", "no/such/t.jsonl"}},
	{name: "HTMLNoFolder", args: "analyze --html $D/no/such/r.html", code: 2, want: []string{"cannot write --html", "no/such/r.html"}},
	{name: "TwoScenarioFiles", args: "analyze $D/base.yaml $D/base.yaml", code: 2, want: []string{"one scenario file expected, got 2"}},
	{name: "GeniusTooFew", args: "analyze --genius $G/car-domain.xml", code: 2, want: []string{"--genius needs a domain file and at least two profiles"}},
	{name: "GeniusAndGeniusWeb", args: "analyze --genius --geniusweb $W/jobs-employee.json $W/jobs-employer.json", code: 2, want: []string{"exclude each other"}},
	{name: "VariantOnGenius", args: "analyze --variant v --genius $G/car-domain.xml $G/car-buyer.xml $G/car-seller.xml", code: 2, want: []string{"--variant does not apply"}},
	{name: "UnknownVariant", args: "analyze --variant nosuch", code: 2, want: []string{`built-in istanbul-2025.yaml: unknown variant "nosuch"`}},
	{name: "MisspeltVariant", args: "analyze --variant befor-recess", code: 2, want: []string{`did you mean "before-recess"`}},
	{name: "UnknownProtocol", args: "simulate --protocol xyz", code: 2, want: []string{`--protocol: unknown protocol "xyz"`}},
	{name: "AgentCount", args: "simulate --agents boulware", code: 2, want: []string{"--agents gives 1 agents for 2 parties"}},
	{name: "NegotiatorAsMediator", args: "simulate --mediator boulware", code: 2, want: []string{"--mediator: boulware is a negotiator, not a mediator; mediators for mediated: hillclimb, nash, scripted"}},
	{name: "MediatorAsNegotiator", args: "simulate --agents nash,delegate", code: 2, want: []string{"--agents: party Pakistan: nash is a mediator, not a negotiator"}},
	{name: "TextAgentInSAO", args: "simulate --protocol sao --agents delegate,boulware", code: 2, want: []string{"delegate cannot play the sao protocol"}},
	{name: "OfferAgentInText", args: "simulate --agents boulware,delegate", code: 2, want: []string{"party Pakistan: boulware cannot play the mediated protocol"}},
	{name: "MediatorInSAO", args: "simulate --protocol sao --mediator nash", code: 2, want: []string{"--mediator nash: a mediator needs the mediated protocol"}},
	{name: "MisspeltAgent", args: "simulate --protocol sao --agents bolware,boulware", code: 2, want: []string{`unknown agent "bolware" (did you mean "boulware"?)`}},
	{name: "AgentBadParam", args: "simulate --protocol sao --agents boulware:e=abc,boulware", code: 2, want: []string{"--agents: party Pakistan", `e="abc"`}},
	{name: "AgentUnknownParam", args: "simulate --protocol sao --agents boulware:zz=1,boulware", code: 2, want: []string{"unknown parameter zz"}},
	{name: "RunsWithTranscript", args: "simulate --runs 3 --transcript $D/t.jsonl", code: 2, want: []string{"do not go with --runs"}},
	{name: "ScriptedUnknownIssue", args: "simulate --mediator scripted:texts=nosuch=1", code: 2, want: []string{"scripted", `unknown issue "nosuch"`}},

	// Files that are not there, not files, empty, endless or binary.
	{name: "MissingFile", args: "analyze $D/missing.yaml", code: 2, want: []string{"no such file: $D/missing.yaml"}},
	{name: "Folder", args: "analyze $D", code: 2, want: []string{"$D is a folder, not a file"}},
	{name: "ReplayFolder", args: "replay $D", code: 2, want: []string{"$D is a folder, not a file"}},
	{name: "EmptyScenario", args: "analyze $D/empty.yaml", code: 2, want: []string{"empty.yaml:1:1: empty file"}},
	{name: "DevZeroScenario", args: "analyze /dev/zero", code: 2, want: []string{"/dev/zero: not a text file: a NUL byte at offset 0"}},
	{name: "DevUrandomScenario", args: "analyze /dev/urandom", code: 2, want: []string{"/dev/urandom: not a text file"}},
	{name: "DevZeroValidate", args: "validate /dev/zero", code: 2, want: []string{"/dev/zero: not a text file"}},
	{name: "DevZeroSimulate", args: "simulate /dev/zero", code: 2, want: []string{"/dev/zero: not a text file"}},
	{name: "DevZeroReplay", args: "replay /dev/zero", code: 2, want: []string{"/dev/zero: not a text file"}},
	{name: "DevUrandomReplay", args: "replay /dev/urandom", code: 2, want: []string{"/dev/urandom: not a text file"}},
	{name: "DevZeroGeniusDomain", args: "analyze --genius /dev/zero $G/car-buyer.xml $G/car-seller.xml", code: 2, want: []string{"/dev/zero: not a text file"}},
	{name: "DevUrandomGeniusProfile", args: "analyze --genius $G/car-domain.xml /dev/urandom $G/car-seller.xml", code: 2, want: []string{"/dev/urandom: not a text file"}},
	{name: "DevUrandomGeniusWeb", args: "analyze --geniusweb /dev/urandom $W/jobs-employer.json", code: 2, want: []string{"/dev/urandom: not a text file"}},
	{name: "DevZeroTournamentFile", args: "tournament run /dev/zero", code: 2, want: []string{"/dev/zero: not a text file"}},
	{name: "DevZeroConvert", args: "convert --to yaml --out $D/c /dev/zero", code: 2, want: []string{"/dev/zero: not a text file"}},
	{name: "BinaryScenario", args: "analyze $D/image.yaml", code: 2, want: []string{"image.yaml: not a text file: a NUL byte at offset 8"}},
	{name: "OverLimitScenario", args: "analyze --max-input-size 100 $D/istanbul-2025.yaml", code: 2, want: []string{"istanbul-2025.yaml: larger than the input size limit of 100 bytes", "--max-input-size"}},
	{name: "OverLimitTranscript", args: "replay --max-input-size 1KiB $D/t.jsonl", code: 2, want: []string{"t.jsonl: larger than the input size limit of 1 KiB"}},
	{name: "OverLimitGenius", args: "analyze --max-input-size 200 --genius $G/car-domain.xml $G/car-buyer.xml $G/car-seller.xml", code: 2, want: []string{"car-domain.xml: larger than the input size limit of 200 bytes"}},
	{name: "OverLimitTournament", args: "tournament --max-input-size 100 --agents boulware,linear --scenarios $D/base.yaml --out $D/t", code: 2, want: []string{"base.yaml: larger than the input size limit of 100 bytes"}},

	// Scenario YAML.
	{name: "YAMLSyntax", args: "analyze $D/tab.yaml", code: 2, want: []string{"tab.yaml:3: YAML syntax"}},
	{name: "YAMLUnknownKey", args: "validate $D/typo.yaml", code: 2, want: []string{"typo.yaml:7:", `unknown key "reservaton" (did you mean "reservation"?)`}},
	{name: "YAMLTwoDocuments", args: "analyze $D/twodocs.yaml", code: 2, want: []string{"twodocs.yaml:10:", "one YAML document"}},
	// (An alias bomb runs as a subprocess: TestHostileSubprocess.)
	{name: "YAMLDeep", args: "analyze $D/deep.yaml", code: 2, want: []string{"deep.yaml:1:", "nested more than 256 levels"}},
	{name: "YAMLAliasCycle", args: "analyze $D/cycle.yaml", code: 2, want: []string{"cycle.yaml:1:", "refers to a node that contains it"}},
	{name: "YAMLWrongType", args: "analyze $D/high.yaml", code: 2, want: []string{"high.yaml:7:", "parties[0].preferences.reservation", `expected a number, got string "high"`}},
	{name: "YAMLHugeWeight", args: "analyze $D/w400.yaml", code: 2, want: []string{"w400.yaml:7:", "parties[0].preferences.issues[0].weight"}},
	{name: "YAMLNaN", args: "analyze $D/nan.yaml", code: 2, want: []string{"nan.yaml:7:", "finite"}},
	{name: "YAMLDuplicateIssue", args: "analyze $D/dupissue.yaml", code: 2, want: []string{"dupissue.yaml:5:", `duplicate issue name "a"`}},
	{name: "YAMLUnknownIssue", args: "analyze $D/unkissue.yaml", code: 2, want: []string{"unkissue.yaml:7:", `unknown issue "b"`}},
	{name: "YAMLTooManyOptions", args: "analyze $D/huge.yaml", code: 2, want: []string{"huge.yaml:5:", "the limit is 100000 per issue"}},
	{name: "YAMLNotMapping", args: "analyze $D/list.yaml", code: 2, want: []string{"list.yaml:1:1", "expected a mapping"}},

	// Variants: a name the base lacks is an error, not a new party.
	{name: "VariantUnknownParty", args: "validate $D/vparty.yaml", code: 2, want: []string{"vparty.yaml:14:11", `variant "typo"`, `no party "Pp" in the base (did you mean "P"?)`, "add: true"}},
	{name: "VariantUnknownPartyAnalyze", args: "analyze --variant typo $D/vparty.yaml", code: 2, want: []string{"vparty.yaml:14:11", `no party "Pp" in the base`}},
	{name: "VariantUnknownOption", args: "validate $D/voption.yaml", code: 2, want: []string{"voption.yaml:14:", `no option "z" in the base`}},
	{name: "VariantUnknownIssue", args: "validate $D/vissue.yaml", code: 2, want: []string{"vissue.yaml:14:", `no issue "b" in the base`}},
	{name: "VariantAddExisting", args: "validate $D/vaddold.yaml", code: 2, want: []string{"vaddold.yaml:14:11", `add: the base already has party "P"`}},
	{name: "VariantRemoveNothing", args: "validate $D/vremove.yaml", code: 2, want: []string{"vremove.yaml:14:11", `remove: no party "R" in the base to remove`}},
	{name: "VariantNewRedLine", args: "validate $D/vredline.yaml", code: 2, want: []string{"vredline.yaml:17:17", `no red line "r" in the base (the base has no such list)`}},

	// The simulation section: validate finds what simulate would trip over.
	{name: "SimUnknownAgent", args: "validate $D/simagent.yaml", code: 2, want: []string{"simagent.yaml:14:25: simulation.agents[0].agent", `unknown agent "bolware" (did you mean "boulware"?)`}},
	{name: "SimUnknownAgentSimulate", args: "simulate $D/simagent.yaml", code: 2, want: []string{"simagent.yaml:14:25: simulation.agents[0].agent"}},
	{name: "SimMediatorAsParty", args: "validate $D/simmed.yaml", code: 2, want: []string{"simmed.yaml:14:25", "nash is a mediator, not a negotiator"}},
	{name: "SimUnknownParty", args: "validate $D/simparty.yaml", code: 2, want: []string{"simparty.yaml:14:15: simulation.agents[0].party", `unknown party "R"`}},
	{name: "SimUnknownAgendaIssue", args: "validate $D/simagenda.yaml", code: 2, want: []string{"simagenda.yaml:13:12", "simulation.agenda[0]", `unknown issue "b"`}},
	{name: "SimRoundsZero", args: "validate $D/simrounds.yaml", code: 2, want: []string{"simrounds.yaml:12:11", "simulation.rounds"}},

	// Files of one format given where another is expected.
	{name: "YAMLAsGenius", args: "analyze --genius $D/base.yaml $G/car-buyer.xml $G/car-seller.xml", code: 2, want: []string{"base.yaml is not Genius XML: it looks like a parley scenario (YAML)"}},
	{name: "GeniusWebAsGenius", args: "analyze --genius $G/car-domain.xml $W/jobs-employee.json $G/car-seller.xml", code: 2, want: []string{"jobs-employee.json is not Genius XML: it looks like GeniusWeb JSON", "--geniusweb"}},
	{name: "XMLAsGeniusWeb", args: "analyze --geniusweb $G/car-domain.xml $G/car-buyer.xml", code: 2, want: []string{"car-domain.xml is not GeniusWeb JSON: it looks like Genius XML", "--genius"}},
	{name: "XMLAsScenario", args: "analyze $G/car-domain.xml", code: 2, want: []string{"car-domain.xml is not a parley scenario: it looks like Genius XML"}},
	{name: "GeniusWebAsScenario", args: "validate $W/jobs-employee.json", code: 2, want: []string{"jobs-employee.json is not a parley scenario: it looks like GeniusWeb JSON"}},
	{name: "TranscriptAsScenario", args: "analyze $D/t.jsonl", code: 2, want: []string{"t.jsonl is not a parley scenario: it looks like a parley transcript", "parley replay"}},
	{name: "ScenarioAsTranscript", args: "replay $D/base.yaml", code: 2, want: []string{"base.yaml is not a parley transcript: it looks like a parley scenario"}},

	// Genius XML.
	{name: "GeniusTruncated", args: "analyze --genius $D/trunc.xml $G/car-buyer.xml $G/car-seller.xml", code: 2, want: []string{"trunc.xml:6:"}},
	{name: "GeniusEntities", args: "analyze --genius $G/car-domain.xml $D/entity.xml $G/car-seller.xml", code: 2, want: []string{"entity.xml:"}},
	{name: "GeniusNoIssues", args: "analyze --genius $D/noissue.xml $G/car-buyer.xml $G/car-seller.xml", code: 2, want: []string{"noissue.xml:1:", "the domain has no issues"}},
	{name: "GeniusDomainAsProfile", args: "analyze --genius $G/car-domain.xml $G/car-domain.xml $G/car-seller.xml", code: 2, want: []string{"car-domain.xml:", "this is a Genius domain"}},
	{name: "GeniusNaNReservation", args: "analyze --json --genius $G/car-domain.xml $D/nanres.xml $G/car-seller.xml", warn: true, want: []string{`nanres.xml:17: reservation value "NaN" is not a number`, "reservation value is 0"}},
	{name: "GeniusNaNReservationText", args: "analyze --genius $G/car-domain.xml $D/nanres.xml $G/car-seller.xml", warn: true, want: []string{"warning: ", `$D/nanres.xml:17: reservation value "NaN" is not a number`}},
	{name: "GeniusNaNReservationSimulate", args: "simulate --json --genius $G/car-domain.xml $D/nanres.xml $G/car-seller.xml", warn: true, want: []string{`nanres.xml:17: reservation value "NaN"`}},
	{name: "GeniusNaNReservationMonteCarlo", args: "simulate --runs 2 --json --genius $G/car-domain.xml $D/nanres.xml $G/car-seller.xml", warn: true, want: []string{`nanres.xml:17: reservation value "NaN"`}},
	{name: "GeniusReservationAboveOne", args: "analyze --json --genius $G/car-domain.xml $D/hires.xml $G/car-seller.xml", warn: true, want: []string{"hires.xml: reservation value 1.5 is outside [0, 1]"}},
	{name: "GeniusWeightsZero", args: "analyze --genius $G/car-domain.xml $D/w0.xml $G/car-seller.xml", warn: true, want: []string{"w0.xml: issue weights sum to 0"}},
	{name: "GeniusLatin1", args: "simulate --genius $G/car-domain.xml $D/latin1.xml $G/car-seller.xml --agents boulware,linear", warn: true, want: []string{"latin1.xml: not valid UTF-8; read as Latin-1"}},

	// GeniusWeb JSON.
	{name: "GeniusWebTruncated", args: "analyze --geniusweb $W/jobs-domain.json $D/jtrunc.json $W/jobs-employer.json", code: 2, want: []string{"jtrunc.json:", "JSON syntax"}},
	{name: "GeniusWebMissingKey", args: "analyze --geniusweb $W/jobs-domain.json $D/jnou.json $W/jobs-employer.json", code: 2, want: []string{"jnou.json:12:3", `unknown key "issueUtilitiez"`}},
	{name: "GeniusWebReservationTwo", args: "analyze --json --geniusweb $W/jobs-domain.json $D/jres2.json $W/jobs-employer.json", warn: true, want: []string{"jres2.json:", "reservationValue 2 is outside [0, 1]"}},

	// Transcripts.
	{name: "TranscriptEmpty", args: "replay $D/empty.jsonl", code: 2, want: []string{"empty.jsonl:1:", "empty transcript"}},
	{name: "TranscriptSeq", args: "replay $D/seq.jsonl", code: 2, want: []string{"seq.jsonl:3:", "chain breaks at seq 1: found seq 5"}},
	{name: "TranscriptVersion", args: "replay $D/ver.jsonl", code: 2, want: []string{"ver.jsonl:1:", `unsupported transcript schema version "parley.transcript/9"`}},
	{name: "TranscriptFieldType", args: "replay $D/seqtype.jsonl", code: 2, want: []string{"seqtype.jsonl:2:", "seq: expected a whole number, got a JSON string"}},
	{name: "ManifestFieldType", args: "tournament merge --out $D/m $D/typeman", code: 2, want: []string{"typeman/tournament.json", "definition.reps: expected a whole number, got a JSON string"}},
	{name: "TranscriptTampered", args: "replay $D/tampered.jsonl", code: 2, want: []string{"tampered.jsonl"}},
	{name: "ReportNothing", args: "report", code: 2, want: []string{"report needs one transcript file"}},
	{name: "ReportTwo", args: "report $D/t.jsonl $D/t.jsonl", code: 2, want: []string{"report needs one transcript file"}},
	{name: "ReportFolder", args: "report $D", code: 2, want: []string{"$D is a folder, not a file"}},
	{name: "ReportDevZero", args: "report /dev/zero --html $D/r.html", code: 2, want: []string{"/dev/zero: not a text file"}},
	{name: "ReportScenario", args: "report $D/base.yaml", code: 2, want: []string{"base.yaml is not a parley transcript: it looks like a parley scenario"}},
	{name: "ReportTampered", args: "report $D/tampered.jsonl --html $D/r.html", code: 2, want: []string{"tampered.jsonl"}},
	{name: "ReportSeq", args: "report $D/seq.jsonl", code: 2, want: []string{"seq.jsonl:3:", "chain breaks at seq 1: found seq 5"}},
	{name: "ReportHTMLNoFolder", args: "report $D/t.jsonl --html $D/no/such/r.html", code: 2, want: []string{"cannot write --html", "no/such/r.html"}},

	// Tournaments: flags, files, folders.
	{name: "TournamentNoOut", args: "tournament --agents boulware,linear --scenarios istanbul-2025", code: 2, want: []string{"--out DIR required"}},
	{name: "TournamentMediator", args: "tournament --agents hillclimb,boulware --scenarios istanbul-2025 --out $D/t", code: 2, want: []string{"hillclimb is a mediator, not a negotiator"}},
	{name: "TournamentTextAgent", args: "tournament --agents delegate,boulware --scenarios istanbul-2025 --out $D/t", code: 2, want: []string{"delegate cannot play the sao protocol"}},
	{name: "TournamentTwice", args: "tournament --agents boulware,boulware --scenarios istanbul-2025 --out $D/t", code: 2, want: []string{`agent "boulware" listed twice`}},
	{name: "TournamentNoScenario", args: "tournament --agents boulware,linear --scenarios nosuch --out $D/t", code: 2, want: []string{`scenario "nosuch": no such built-in scenario, file or folder`}},
	{name: "TournamentShardOut", args: "tournament --agents boulware,linear --scenarios istanbul-2025 --shard 2/2 --out $D/t", code: 2, want: []string{"--shard", "0 <= i < N"}},
	{name: "TournamentShardText", args: "tournament --agents boulware,linear --scenarios istanbul-2025 --shard x --out $D/t", code: 2, want: []string{"--shard", "want i/N"}},
	{name: "TournamentFileUnknownKey", args: "tournament run $D/tid.yaml", code: 2, want: []string{"tid.yaml:1:1: id: unknown key \"id\"", "expected one of agents"}},
	{name: "TournamentFileMisspelt", args: "tournament run $D/tsp.yaml", code: 2, want: []string{"tsp.yaml:3:1: self_play", `did you mean "self-play"?`}},
	{name: "TournamentFileRepsZero", args: "tournament run $D/treps0.yaml", code: 2, want: []string{"treps0.yaml:3:7: reps: must be at least 1, got 0"}},
	{name: "TournamentFileRepsText", args: "tournament run $D/trepsx.yaml", code: 2, want: []string{"trepsx.yaml:3:7: reps: expected a whole number of at least 1, got text \"many\""}},
	{name: "TournamentFileBool", args: "tournament run $D/tbool.yaml", code: 2, want: []string{"tbool.yaml:3:12: self-play: expected true or false"}},
	{name: "TournamentFileList", args: "tournament run $D/tlist.yaml", code: 2, want: []string{"tlist.yaml:1:1", "expected a mapping"}},
	{name: "TournamentFileEmpty", args: "tournament run $D/empty.yaml", code: 2, want: []string{"empty.yaml:1:1: empty file"}},
	{name: "TournamentFileMissing", args: "tournament run $D/nosuch.yaml", code: 2, want: []string{"no such file: $D/nosuch.yaml"}},
	{name: "TournamentOtherSeed", args: "tournament --agents boulware,linear --scenarios istanbul-2025 --rounds 20 --seed 9 --out $D/prev", code: 2, want: []string{"prev/results.csv:2", "recorded by another tournament"}},
	{name: "TournamentOtherRounds", args: "tournament --agents boulware,linear --scenarios istanbul-2025 --rounds 21 --out $D/prev", code: 2, want: []string{"prev/results.csv:2", "recorded by another tournament"}},
	{name: "TournamentOldHeader", args: "tournament --agents boulware,linear --scenarios istanbul-2025 --rounds 20 --out $D/oldcsv", code: 2, want: []string{"oldcsv/results.csv:1: column 19 is \"t\", expected \"definition\""}},
	{name: "MergeNothing", args: "tournament merge --out $D/m", code: 2, want: []string{"at least one SHARD_DIR"}},
	{name: "MergeNotTournament", args: "tournament merge --out $D/m $D", code: 2, want: []string{"is no tournament folder"}},
	{name: "MergeIntoShard", args: "tournament merge --out $D/prev $D/prev", code: 2, want: []string{"is also a shard folder"}},
	// parley monitor: the register, incident exports, transcripts, counts.
	{name: "MonitorUnknownSub", args: "monitor frobnicate", code: 2, want: []string{`monitor: unknown subcommand "frobnicate"`}},
	{name: "MonitorUnknownVerb", args: "monitor act frobnicate --as Pakistan", code: 2, want: []string{`monitor act: unknown verb "frobnicate"`}},
	{name: "MonitorRunsZero", args: "monitor simulate --variant us-signs --runs 0", code: 2, want: []string{"monitor simulate: --runs 0: must be at least 1"}},
	{name: "MonitorDaysNegative", args: "monitor simulate --variant us-signs --days -1", code: 2, want: []string{"--days -1: must not be negative"}},
	{name: "MonitorBadDate", args: "monitor sign --date 2025-13-45 --register $D/r.jsonl", code: 2, want: []string{`--date: "2025-13-45" is not a date`}},
	{name: "MonitorImportDevZero", args: "monitor import --register $D/r.jsonl /dev/zero", code: 2, want: []string{"/dev/zero: not a text file"}},
	{name: "MonitorImportFolder", args: "monitor import --register $D/r.jsonl $D", code: 2, want: []string{"$D is a folder, not a file"}},
	{name: "MonitorImportMissing", args: "monitor import --register $D/r.jsonl $D/nosuch.csv", code: 2, want: []string{"no such file: $D/nosuch.csv"}},
	{name: "MonitorImportOverLimit", args: "monitor import --max-input-size 10 --register $D/r.jsonl $D/incidents.csv", code: 2, want: []string{"incidents.csv: larger than the input size limit of 10 bytes"}},
	{name: "MonitorRegisterUrandom", args: "monitor status --register /dev/urandom", code: 2, want: []string{"/dev/urandom:1:", "not a parley monitoring register"}},
	{name: "MonitorRegisterMissing", args: "monitor status --register $D/nosuch.jsonl", code: 2, want: []string{"no register $D/nosuch.jsonl"}},
	{name: "MonitorSignTranscriptZero", args: "monitor sign --transcript /dev/zero --register $D/r.jsonl", code: 2, want: []string{"/dev/zero: not a text file"}},
	{name: "MergeBadManifest", args: "tournament merge --out $D/m $D/badman", code: 2, want: []string{"badman/tournament.json"}},
}

// noLeak are what a message to a person must not show: a Go stack trace,
// Go type names, source positions, internal paths, doubled prefixes.
var noLeak = regexp.MustCompile(`goroutine \d|panic:|runtime\.|\.go:\d|\b(parley|tournament|scenario|genius|geniusweb|agent|protocol|simulate|analysis)\.[A-Z]\w+|\*parley|\[\]string|map\[|struct \{|parley: parley:|<input>|/work/main|builtin/istanbul`)

// TestHostileInputs runs every hostile input in-process and checks its
// exit status, its message (naming the place and why, without leaking
// internals) and that it comes back in bounded time and allocation.
func TestHostileInputs(t *testing.T) {
	if len(hostileCases) < 100 {
		t.Fatalf("%d hostile cases; the issue asks for at least 100", len(hostileCases))
	}
	dir := hostileFixtures(t)
	for _, c := range hostileCases {
		t.Run(c.name, func(t *testing.T) {
			args := expandArgs(c.args, dir)
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			type result struct {
				out, errs string
				code      int
			}
			done := make(chan result, 1)
			go func() {
				out, errs, code := run(t, args...)
				done <- result{out, errs, code}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(60 * time.Second):
				t.Fatalf("parley %s: no answer after 60 s", strings.Join(args, " "))
			}
			runtime.ReadMemStats(&ms1)
			if alloc := ms1.TotalAlloc - ms0.TotalAlloc; alloc > 512<<20 {
				t.Errorf("allocated %d MiB", alloc>>20)
			}
			checkHostile(t, c, dir, r.out, r.errs, r.code)
		})
	}
}

func checkHostile(t *testing.T, c hostileCase, dir, out, errs string, code int) {
	t.Helper()
	if c.warn {
		if code != 0 {
			t.Fatalf("exit %d, want 0 with warnings: %s", code, errs)
		}
		where := errs
		if strings.Contains(c.args, "--json") {
			var v struct {
				Warnings []string `json:"warnings"`
			}
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("bad JSON: %v", err)
			}
			where = strings.Join(v.Warnings, "\n")
		}
		for _, w := range c.want {
			if !strings.Contains(where, expand(w, dir)) {
				t.Errorf("warnings lack %q:\n%s", w, where)
			}
		}
		return
	}
	if code != c.code {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, c.code, errs)
	}
	if !strings.HasPrefix(errs, "parley: ") && !strings.Contains(errs, "\nparley: ") {
		t.Errorf("no 'parley: ' message on stderr:\n%s", errs)
	}
	for _, w := range c.want {
		if !strings.Contains(errs, expand(w, dir)) {
			t.Errorf("stderr lacks %q:\n%s", expand(w, dir), errs)
		}
	}
	if m := noLeak.FindString(errs); m != "" {
		t.Errorf("message shows %q:\n%s", m, errs)
	}
}

func expand(s, dir string) string {
	r := strings.NewReplacer("$D", dir, "$G", filepath.Join("..", "..", "genius", "testdata"),
		"$W", filepath.Join("..", "..", "geniusweb", "testdata"), "$B", filepath.Join("..", "..", "scenario", "builtin", "istanbul-2025.yaml"))
	return r.Replace(s)
}

func expandArgs(s, dir string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		out = append(out, expand(f, dir))
	}
	return out
}

// hostileFixtures writes the bad files the cases read.
func hostileFixtures(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	base := "id: t\nissues:\n  - name: a\n    options: [x, y]\nparties:\n  - name: P\n    preferences: {reservation: 0.1, issues: [{issue: a, weight: 1, values: {y: 1}}]}\n  - name: Q\n    preferences: {reservation: 0.1, issues: [{issue: a, weight: 1, values: {x: 1}}]}\n"
	pref := "preferences: {reservation: 0.1, issues: [{issue: a, weight: 1, values: {y: 1}}]}"
	sim := func(s string) string { return base + "simulation:\n  protocol: sao\n  rounds: 10\n" + s }
	variant := func(s string) string { return base + "variants:\n  - name: typo\n    override:\n" + s }
	files := map[string]string{
		"base.yaml":      base,
		"empty.yaml":     "",
		"image.yaml":     "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
		"tab.yaml":       "id: t\nissues:\n\t- a\n",
		"typo.yaml":      strings.Replace(base, "{reservation: 0.1, issues: [{issue: a, weight: 1, values: {y: 1}}]}", "{reservaton: 0.1, issues: [{issue: a, weight: 1, values: {y: 1}}]}", 1),
		"twodocs.yaml":   base + "---\nid: u\n",
		"bomb.yaml":      "id: t\na: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
		"deep.yaml":      "id: " + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n",
		"cycle.yaml":     "id: &a [*a]\n",
		"high.yaml":      strings.Replace(base, "reservation: 0.1, issues: [{issue: a, weight: 1, values: {y: 1}}]", "reservation: high, issues: [{issue: a, weight: 1, values: {y: 1}}]", 1),
		"w400.yaml":      strings.Replace(base, "weight: 1, values: {y: 1}", "weight: 1e400, values: {y: 1}", 1),
		"nan.yaml":       strings.Replace(base, "reservation: 0.1, issues: [{issue: a, weight: 1, values: {y: 1}}]", "reservation: .nan, issues: [{issue: a, weight: 1, values: {y: 1}}]", 1),
		"dupissue.yaml":  strings.Replace(base, "parties:\n", "  - {name: a, options: [z]}\nparties:\n", 1),
		"unkissue.yaml":  strings.Replace(base, "{issue: a, weight: 1, values: {y: 1}}", "{issue: b, weight: 1}", 1),
		"huge.yaml":      strings.Replace(base, "parties:\n", "  - {name: n, kind: integer, min: 0, max: 1000000000}\nparties:\n", 1),
		"list.yaml":      "- id: t\n",
		"vparty.yaml":    variant("      parties:\n        - name: Pp\n          preferences: {reservation: 0.5}\n"),
		"voption.yaml":   variant("      issues:\n        - {name: a, options: [z]}\n"),
		"vissue.yaml":    variant("      issues:\n        - {name: b, options: [z]}\n"),
		"vaddold.yaml":   variant("      parties:\n        - {name: P, add: true, " + pref + "}\n"),
		"vremove.yaml":   variant("      parties:\n        - {name: R, remove: true}\n"),
		"vredline.yaml":  variant("      parties:\n        - name: P\n          preferences:\n            red_lines:\n              - {name: r, conditions: [{issue: a, options: [x]}]}\n"),
		"simagent.yaml":  sim("  agents:\n    - {party: P, agent: bolware}\n"),
		"simmed.yaml":    sim("  agents:\n    - {party: P, agent: nash}\n"),
		"simparty.yaml":  sim("  agents:\n    - {party: R, agent: boulware}\n"),
		"simagenda.yaml": base + "simulation:\n  protocol: mediated\n  rounds: 10\n  agenda: [b]\n",
		"simrounds.yaml": base + "simulation:\n  protocol: sao\n  rounds: 0\n",
		"trunc.xml":      "",
		"entity.xml":     "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n<utility_space>&b;</utility_space>\n",
		"noissue.xml":    `<negotiation_template><utility_space><objective index="0" name="x" type="objective"></objective></utility_space></negotiation_template>`,
		"tid.yaml":       "id: t\nagents: [boulware, linear]\n",
		"tsp.yaml":       "agents: [boulware, linear]\nscenarios: [istanbul-2025]\nself_play: true\nout: o\n",
		"treps0.yaml":    "agents: [boulware, linear]\nscenarios: [istanbul-2025]\nreps: 0\nout: o\n",
		"trepsx.yaml":    "agents: [boulware, linear]\nscenarios: [istanbul-2025]\nreps: many\nout: o\n",
		"tbool.yaml":     "agents: [boulware, linear]\nscenarios: [istanbul-2025]\nself-play: maybe\nout: o\n",
		"tlist.yaml":     "- agents\n",
		"empty.jsonl":    "",
		"incidents.csv":  "event_id_cnty,event_date,event_type\nX1,2025-11-05,Battles\n",
	}
	// Genius and GeniusWeb files derived from the test data.
	read := func(p string) string {
		b, err := os.ReadFile(expand(p, dir))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	dom, buyer := read("$G/car-domain.xml"), read("$G/car-buyer.xml")
	files["trunc.xml"] = dom[:300]
	files["istanbul-2025.yaml"] = read("$B")
	files["nanres.xml"] = strings.Replace(buyer, `<reservation value="0.3"/>`, `<reservation value="NaN"/>`, 1)
	files["hires.xml"] = strings.Replace(buyer, `<reservation value="0.3"/>`, `<reservation value="1.5"/>`, 1)
	files["w0.xml"] = strings.NewReplacer(`<weight index="1" value="3"/>`, `<weight index="1" value="0"/>`, `<weight index="2" value="1"/>`, `<weight index="2" value="0"/>`).Replace(buyer)
	files["latin1.xml"] = strings.Replace(buyer, "<utility_space", "<!-- caf\xe9 -->\n<utility_space", 1)
	emp := read("$W/jobs-employee.json")
	files["jtrunc.json"] = emp[:200]
	files["jnou.json"] = strings.Replace(emp, `"issueUtilities"`, `"issueUtilitiez"`, 1)
	files["jres2.json"] = strings.Replace(emp, `"issueWeights"`, `"reservationValue": 2, "issueWeights"`, 1)
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"nanres.xml", "hires.xml", "w0.xml", "latin1.xml", "jres2.json", "jnou.json"} {
		if files[f] == read("$G/car-buyer.xml") || files[f] == emp {
			t.Fatalf("fixture %s did not change its source", f)
		}
	}
	// A transcript, and broken copies.
	tr := filepath.Join(dir, "t.jsonl")
	if _, errs, code := run(t, "simulate", "--variant", "us-signs", "--transcript", tr); code != 0 {
		t.Fatalf("transcript: %s", errs)
	}
	b := read("$D/t.jsonl")
	writes := map[string]string{
		"seq.jsonl":      strings.Replace(b, `"seq":1,`, `"seq":5,`, 1),
		"ver.jsonl":      strings.Replace(b, "parley.transcript/1", "parley.transcript/9", 1),
		"seqtype.jsonl":  strings.Replace(b, `"seq":0,`, `"seq":"zero",`, 1),
		"tampered.jsonl": strings.Replace(b, `"end":"agreement"`, `"end":"deadline"`, 1),
	}
	for name, text := range writes {
		if text == b {
			t.Fatalf("fixture %s did not change the transcript", name)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Tournament folders: a finished tournament whose tournament.json is
	// gone, one with an old results.csv header, one with a bad manifest.
	prev := filepath.Join(dir, "prev")
	if _, errs, code := run(t, "tournament", "--agents", "boulware,linear", "--scenarios", "istanbul-2025", "--rounds", "20", "--out", prev); code != 0 {
		t.Fatalf("tournament: %s", errs)
	}
	csvText := read("$D/prev/results.csv")
	for sub, f := range map[string]map[string]string{
		"oldcsv":  {"results.csv": strings.Replace(csvText, ",definition,", ",", 1)},
		"badman":  {"tournament.json": "{not json", "results.csv": csvText},
		"typeman": {"tournament.json": `{"version": 1, "definition": {"reps": "three"}}`, "results.csv": csvText},
	} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		for name, text := range f {
			if err := os.WriteFile(filepath.Join(dir, sub, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Remove(filepath.Join(prev, "tournament.json")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestHostileInputsKeepFolders: the refused tournament reruns leave the
// folder as it was (the rows, and no tournament.json claiming the folder
// for the new definition).
func TestHostileInputsKeepFolders(t *testing.T) {
	dir := hostileFixtures(t)
	before, err := os.ReadFile(filepath.Join(dir, "prev", "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, code := run(t, "tournament", "--agents", "boulware,linear", "--scenarios", "istanbul-2025", "--rounds", "20", "--seed", "9", "--out", filepath.Join(dir, "prev")); code != 2 {
		t.Fatalf("exit %d", code)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "prev", "results.csv"))
	if !bytes.Equal(before, after) {
		t.Error("a refused rerun changed results.csv")
	}
	if _, err := os.Stat(filepath.Join(dir, "prev", "tournament.json")); err == nil {
		t.Error("a refused rerun wrote tournament.json")
	}
	// The original command resumes every row.
	out, errs, code := run(t, "tournament", "--agents", "boulware,linear", "--scenarios", "istanbul-2025", "--rounds", "20", "--out", filepath.Join(dir, "prev"))
	if code != 0 || !strings.Contains(out, "(2 resumed, 0 run") {
		t.Errorf("resume: exit %d: %s%s", code, out, errs)
	}
}

// TestHelpEveryCommand: 'parley help' prints the usage of every command
// and subcommand on standard output with exit status 0 (a flag defined
// twice, or a subcommand that cannot show its flags, fails here).
func TestHelpEveryCommand(t *testing.T) {
	cmds := [][]string{{"tournament", "run"}, {"tournament", "merge"}}
	for _, c := range commands {
		cmds = append(cmds, []string{c})
	}
	for _, sub := range []string{"sign", "import", "act", "status", "report", "simulate"} {
		cmds = append(cmds, []string{"monitor", sub})
	}
	for _, c := range cmds {
		out, errs, code := run(t, append([]string{"help"}, c...)...)
		if code != 0 || !strings.Contains(out, "Usage") {
			t.Errorf("help %v: exit %d\n%s%s", c, code, out, errs)
		}
		if regexp.MustCompile(`\n  -[a-z]`).MatchString(out) {
			t.Errorf("help %v: flags written with one dash:\n%s", c, out)
		}
	}
}
