import { useEffect, useState } from "react";
import { Link, Route, Routes } from "react-router";
import { api, onUnauthorized } from "./api";
import { clearToken, getToken, setToken } from "./auth";
import { Layout } from "./components/Layout";
import { SignIn } from "./components/SignIn";
import { Empty } from "./components/Status";
import ApiReference from "./pages/ApiReference";
import Deliveries from "./pages/Deliveries";
import Deploy from "./pages/Deploy";
import Dora from "./pages/Dora";
import Entity from "./pages/Entity";
import EventDetail from "./pages/EventDetail";
import Events from "./pages/Events";
import Overview from "./pages/Overview";
import Rules from "./pages/Rules";
import Subscriptions from "./pages/Subscriptions";
import { CanContext, EVERYTHING, type Can } from "./token";

export function App() {
  const [token, setTokenState] = useState(getToken);
  const [notice, setNotice] = useState<string | null>(null);
  // What the token may do (its scopes): pages offer only that.
  const [can, setCan] = useState<Can | null>(null);

  useEffect(
    () =>
      onUnauthorized(() => {
        clearToken();
        setTokenState(null);
        setNotice("The API refused this session's token (401): sign in again.");
      }),
    [],
  );

  useEffect(() => {
    if (!token) return;
    let live = true;
    setCan(null);
    api.token().then(
      (t) => live && setCan(t.can),
      () => live && setCan(EVERYTHING),
    );
    return () => {
      live = false;
    };
  }, [token]);

  // Any URL can be opened signed out: the page shows once a token is accepted.
  if (!token) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(t) => {
          setToken(t);
          setTokenState(t);
          setNotice(null);
        }}
      />
    );
  }

  return (
    <CanContext.Provider value={can}>
      <Layout
        onSignOut={() => {
          clearToken();
          setTokenState(null);
        }}
      >
        <Routes>
          <Route path="/" element={<Overview />} />
          <Route path="/events" element={<Events />} />
          <Route path="/events/:id" element={<EventDetail />} />
          <Route path="/entities/*" element={<Entity />} />
          <Route path="/deploys/*" element={<Deploy />} />
          <Route path="/dora" element={<Dora />} />
          <Route path="/rules" element={<Rules />} />
          <Route path="/subscriptions" element={<Subscriptions />} />
          <Route path="/deliveries" element={<Deliveries />} />
          <Route path="/reference" element={<ApiReference />} />
          <Route
            path="*"
            element={
              <Empty>
                No such page. <Link to="/">Overview</Link>
              </Empty>
            }
          />
        </Routes>
      </Layout>
    </CanContext.Provider>
  );
}
