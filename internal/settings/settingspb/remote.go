package settingspb

import (
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/internal/settings"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// remoteFromProto translates a remote strategy's supervision settings. A
// policy number the daemon does not know is passed on as such, for
// validation to name settings.on_detach.
func remoteFromProto(p *tradingv1.SessionSettings, s *settings.Settings) {
	switch d := p.GetOnDetach(); d {
	case tradingv1.DetachPolicy_DETACH_POLICY_UNSPECIFIED:
		s.OnDetach = settings.DetachUnspecified
	case tradingv1.DetachPolicy_DETACH_POLICY_CANCEL:
		s.OnDetach = settings.DetachCancel
	case tradingv1.DetachPolicy_DETACH_POLICY_KEEP:
		s.OnDetach = settings.DetachKeep
	default:
		s.OnDetach = settings.DetachPolicy(100 + int(d))
	}
	s.AttachGrace = p.GetAttachGrace().AsDuration()
	s.AnswerTimeout = p.GetAnswerTimeout().AsDuration()
}

// remoteToProto writes them; zero is unset, and sent as such.
func remoteToProto(s settings.Settings, p *tradingv1.SessionSettings) {
	switch s.OnDetach {
	case settings.DetachCancel:
		p.OnDetach = tradingv1.DetachPolicy_DETACH_POLICY_CANCEL
	case settings.DetachKeep:
		p.OnDetach = tradingv1.DetachPolicy_DETACH_POLICY_KEEP
	}
	if s.AttachGrace > 0 {
		p.AttachGrace = durationpb.New(s.AttachGrace)
	}
	if s.AnswerTimeout > 0 {
		p.AnswerTimeout = durationpb.New(s.AnswerTimeout)
	}
}
