// Command fakebot serves the fake Bot API (package fakebot) as a small
// process, for trying `nezuko serve` by hand (NEZUKO_TELEGRAM_API_URL).
//
//	fakebot -addr 127.0.0.1:8081 -bot 123:SECRET:123:my_bot \
//	    -chat -1001:supergroup:My group: -chat -1002:channel:My channel:my_channel \
//	    -member -1001:123:administrator -member -1002:123:administrator -member -1001:42:member
//
// Control endpoints beside the Bot API: POST /_fake/push?token=T with an
// update (JSON object without update_id) queues it; GET /_fake/calls lists
// every call made so far.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/nezuko-bot/nezuko/tests/fakebot"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address (loopback)")
	var bots, chats, members list
	flag.Var(&bots, "bot", "token:bot_user_id:username (token is 'id:secret'), repeatable")
	flag.Var(&chats, "chat", "id:type:title:username, repeatable")
	flag.Var(&members, "member", "chat_id:user_id:status (administrator members get the usual rights), repeatable")
	flag.Parse()

	s := fakebot.New()
	defer s.Close()
	byToken := map[string]*fakebot.Bot{}
	for _, b := range bots {
		p := strings.Split(b, ":")
		if len(p) != 4 {
			log.Fatalf("-bot %q: want id:secret:bot_user_id:username", b)
		}
		id, err := strconv.ParseInt(p[2], 10, 64)
		if err != nil {
			log.Fatalf("-bot %q: %v", b, err)
		}
		token := p[0] + ":" + p[1]
		byToken[token] = s.AddBot(token, id, p[3])
	}
	for _, c := range chats {
		p := strings.SplitN(c, ":", 4)
		if len(p) != 4 {
			log.Fatalf("-chat %q: want id:type:title:username", c)
		}
		id, err := strconv.ParseInt(p[0], 10, 64)
		if err != nil {
			log.Fatalf("-chat %q: %v", c, err)
		}
		s.AddChat(id, p[1], p[2], p[3])
	}
	for _, m := range members {
		p := strings.Split(m, ":")
		if len(p) != 3 {
			log.Fatalf("-member %q: want chat_id:user_id:status", m)
		}
		chat, err1 := strconv.ParseInt(p[0], 10, 64)
		user, err2 := strconv.ParseInt(p[1], 10, 64)
		if err1 != nil || err2 != nil {
			log.Fatalf("-member %q: bad id", m)
		}
		mm := fakebot.Member{Status: p[2], IsMember: p[2] == "restricted"}
		if p[2] == "administrator" {
			mm.Rights = fakebot.AdminRights()
		}
		s.SetMember(chat, user, mm)
	}

	target, _ := url.Parse(s.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	mux := http.NewServeMux()
	mux.Handle("/", proxy)
	mux.HandleFunc("POST /_fake/push", func(w http.ResponseWriter, r *http.Request) {
		b := byToken[r.URL.Query().Get("token")]
		if b == nil {
			http.Error(w, "unknown token", http.StatusNotFound)
			return
		}
		var u map[string]any
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err := json.Unmarshal(body, &u); err != nil {
			http.Error(w, "body must be a JSON object", http.StatusBadRequest)
			return
		}
		fmt.Fprintln(w, b.Push(u))
	})
	mux.HandleFunc("GET /_fake/calls", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.Calls(r.URL.Query().Get("method")))
	})
	srv := &http.Server{Addr: *addr, Handler: mux}
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt)
		<-c
		srv.Close()
	}()
	log.Printf("fake Bot API on http://%s", *addr)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
